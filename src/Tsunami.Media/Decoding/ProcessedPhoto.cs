using Tsunami.Core.Assets;

namespace Tsunami.Media.Decoding;

/// <summary>Everything ingest keeps from one photo besides its original bytes.</summary>
public sealed record ProcessedPhoto
{
    public required string Format { get; init; }

    /// <summary>Upright size: EXIF orientation already applied.</summary>
    public required int Width { get; init; }

    public required int Height { get; init; }
    public required ulong PerceptualHash { get; init; }
    public required CaptureMetadata Capture { get; init; }
    public required EncodedImage Thumbnail { get; init; }
    public required EncodedImage Preview { get; init; }

    /// <summary>The upright pixels at the sizes asked for, and any other when first read (null when none were asked for); the caller disposes them.</summary>
    public PhotoViews? Views { get; init; }

    /// <summary>Time spent decoding into the upright preview's pixels (libvips evaluates lazily: the reduction to preview size is part of it).</summary>
    public TimeSpan DecodeTime { get; init; }

    /// <summary>Time spent making the <see cref="Views"/> from the decoded pixels (zero when none were asked for).</summary>
    public TimeSpan ViewsTime { get; init; }

    /// <summary>Time spent encoding the thumbnail and preview and computing the perceptual hash.</summary>
    public TimeSpan EncodeTime { get; init; }

    public TimeSpan MetadataTime { get; init; }
}
