using System.ComponentModel.DataAnnotations;

namespace Tsunami.Media;

/// <summary>How photos are decoded and what is made from them. Section "Media" of the configuration.</summary>
public sealed class MediaOptions
{
    public const string Section = "Media";

    /// <summary>Refuse images above this many pixels before decoding them (decompression bombs).</summary>
    [Range(1, long.MaxValue)]
    public long MaxPixels { get; set; } = 200_000_000;

    /// <summary>Refuse files larger than this many bytes before reading them.</summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Longest side of the small WebP thumbnail for grids.</summary>
    [Range(16, 4096)]
    public int ThumbnailSize { get; set; } = 256;

    [Range(1, 100)]
    public int ThumbnailQuality { get; set; } = 75;

    /// <summary>Longest side of the JPEG preview for the detail view (and, later, for the models).</summary>
    [Range(64, 8192)]
    public int PreviewSize { get; set; } = 1280;

    [Range(1, 100)]
    public int PreviewQuality { get; set; } = 82;

    /// <summary>Threads libvips may use inside one operation; ingest already runs one photo per core.</summary>
    [Range(1, 64)]
    public int VipsThreadsPerOperation { get; set; } = 1;
}
