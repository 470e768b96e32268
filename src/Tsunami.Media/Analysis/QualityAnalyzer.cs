using Microsoft.Extensions.Options;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Imaging;

namespace Tsunami.Media.Analysis;

/// <summary>
/// Sharpness as the variance of the Laplacian of the luma relative to the luma's own variance (× 1000), measured at
/// a fixed 640 px: so photos of any size compare, and a dark photo is not taken for a blurry one. Exposure from the
/// luma histogram. No model: cheap enough for every photo.
/// </summary>
public sealed class QualityAnalyzer(IOptions<QualityOptions> options)
{
    private const int AnalysisSize = 640;
    private readonly QualityOptions _options = options.Value;

    public QualityReport Analyze(RgbImage image, int originalWidth, int originalHeight)
    {
        var (luma, width, height) = Luma(image);
        var lumaVariance = Variance(luma);
        var sharpness = lumaVariance < 1e-3 ? 0 : 1000 * LaplacianVariance(luma, width, height) / lumaVariance;
        double sum = 0;
        int dark = 0, clipped = 0;
        foreach (var value in luma)
        {
            sum += value;
            dark += value < 16 ? 1 : 0;
            clipped += value >= 250 ? 1 : 0;
        }
        var brightness = sum / luma.Length;
        var megapixels = originalWidth * (double)originalHeight / 1e6;
        var flags = new List<string>();
        if (sharpness < _options.BlurryBelow)
        {
            flags.Add("blurry");
        }
        if (brightness < _options.DarkBelow)
        {
            flags.Add("dark");
        }
        if ((double)clipped / luma.Length > _options.OverexposedAbove)
        {
            flags.Add("overexposed");
        }
        if (megapixels < _options.LowResolutionBelow)
        {
            flags.Add("low-resolution");
        }
        return new QualityReport(Math.Round(sharpness, 1), Math.Round(brightness, 1), Math.Round((double)dark / luma.Length, 4),
            Math.Round((double)clipped / luma.Length, 4), Math.Round(megapixels, 2), flags);
    }

    /// <summary>Rec. 601 luma, box-averaged down to at most 640 px on the longer side.</summary>
    private static (float[] Luma, int Width, int Height) Luma(RgbImage image)
    {
        var factor = Math.Max(1, (int)Math.Ceiling(Math.Max(image.Width, image.Height) / (double)AnalysisSize));
        var width = image.Width / factor;
        var height = image.Height / factor;
        var luma = new float[width * height];
        var pixels = image.Pixels;
        var weight = 1f / (factor * factor);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                float total = 0;
                for (var dy = 0; dy < factor; dy++)
                {
                    var p = ((((y * factor) + dy) * image.Width) + (x * factor)) * 3;
                    for (var dx = 0; dx < factor; dx++, p += 3)
                    {
                        total += (0.299f * pixels[p]) + (0.587f * pixels[p + 1]) + (0.114f * pixels[p + 2]);
                    }
                }
                luma[(y * width) + x] = total * weight;
            }
        }
        return (luma, width, height);
    }

    private static double Variance(float[] values)
    {
        double sum = 0, sumOfSquares = 0;
        foreach (var v in values)
        {
            sum += v;
            sumOfSquares += (double)v * v;
        }
        var mean = sum / values.Length;
        return (sumOfSquares / values.Length) - (mean * mean);
    }

    private static double LaplacianVariance(float[] luma, int width, int height)
    {
        if (width < 3 || height < 3)
        {
            return 0;
        }
        double sum = 0, sumOfSquares = 0;
        var count = 0;
        for (var y = 1; y < height - 1; y++)
        {
            for (var x = 1; x < width - 1; x++)
            {
                var i = (y * width) + x;
                double laplacian = luma[i - 1] + luma[i + 1] + luma[i - width] + luma[i + width] - (4 * luma[i]);
                sum += laplacian;
                sumOfSquares += laplacian * laplacian;
                count++;
            }
        }
        var mean = sum / count;
        return (sumOfSquares / count) - (mean * mean);
    }
}
