using System.ComponentModel.DataAnnotations;

namespace Tsunami.Media.Analysis;

/// <summary>Thresholds of the quality flags. Section "Quality" of the configuration.</summary>
public sealed class QualityOptions
{
    public const string Section = "Quality";

    /// <summary>Sharpness (Laplacian variance over luma variance × 1000, at 640 px) below which a photo is flagged blurry.</summary>
    [Range(0, 1e6)]
    public double BlurryBelow { get; set; } = 10;

    /// <summary>Mean brightness (0–255) below which a photo is flagged dark.</summary>
    [Range(0, 255)]
    public double DarkBelow { get; set; } = 55;

    /// <summary>Share of clipped-white pixels (≥ 250) above which a photo is flagged overexposed.</summary>
    [Range(0, 1)]
    public double OverexposedAbove { get; set; } = 0.25;

    /// <summary>Megapixels below which a photo is flagged low-resolution.</summary>
    [Range(0, 1000)]
    public double LowResolutionBelow { get; set; } = 0.3;
}
