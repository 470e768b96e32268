using Microsoft.Extensions.Options;
using Tsunami.Media;
using Tsunami.Media.Decoding;

namespace Tsunami.Media.Tests;

internal static class Processing
{
    public static PhotoProcessor Processor(MediaOptions? options = null) => new(Options.Create(options ?? new MediaOptions()));
}
