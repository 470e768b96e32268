using Tsunami.Core.Assets;

namespace Tsunami.Core.Storage;

public sealed record Fingerprint(AssetId Id, ContentHash Hash, ulong PerceptualHash);
