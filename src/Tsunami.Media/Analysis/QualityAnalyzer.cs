using System.Numerics;
using System.Numerics.Tensors;
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
        var (brightness, lumaVariance) = MeanAndVariance(luma);
        var sharpness = lumaVariance < 1e-3 ? 0 : 1000 * LaplacianVariance(luma, width, height) / lumaVariance;
        var dark = CountBelow(luma, 16);
        var clipped = luma.Length - CountBelow(luma, 250);
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
        if (factor == 1)
        {
            var rgb = pixels.AsSpan(0, luma.Length * 3);
            for (var i = 0; i < luma.Length; i++)
            {
                var pixel = rgb.Slice(i * 3, 3);
                luma[i] = (0.299f * pixel[0]) + (0.587f * pixel[1]) + (0.114f * pixel[2]);
            }
            return (luma, width, height);
        }
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

    private static int CountBelow(ReadOnlySpan<float> values, float limit)
    {
        var bound = new Vector<float>(limit);
        var counts = Vector<int>.Zero;
        var i = 0;
        for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            // A lane that is below holds -1.
            counts -= Vector.LessThan(new Vector<float>(values[i..]), bound);
        }
        var count = Vector.Sum(counts);
        for (; i < values.Length; i++)
        {
            count += values[i] < limit ? 1 : 0;
        }
        return count;
    }

    /// <summary>Mean, then the mean squared deviation from it: in float vectors 4,096 values at a time, summed in double.</summary>
    private static (double Mean, double Variance) MeanAndVariance(float[] values)
    {
        const int Chunk = 4096;
        double sum = 0;
        for (var start = 0; start < values.Length; start += Chunk)
        {
            sum += TensorPrimitives.Sum(values.AsSpan(start, Math.Min(Chunk, values.Length - start)));
        }
        var mean = sum / values.Length;
        Span<float> deviations = stackalloc float[Chunk];
        double squares = 0;
        for (var start = 0; start < values.Length; start += Chunk)
        {
            var chunk = values.AsSpan(start, Math.Min(Chunk, values.Length - start));
            var deviation = deviations[..chunk.Length];
            TensorPrimitives.Subtract(chunk, (float)mean, deviation);
            squares += TensorPrimitives.SumOfSquares(deviation);
        }
        return (mean, squares / values.Length);
    }

    /// <summary>The variance of the 4-neighbour Laplacian over the inner pixels, a row at a time.</summary>
    private static double LaplacianVariance(float[] luma, int width, int height)
    {
        if (width < 3 || height < 3)
        {
            return 0;
        }
        var inner = width - 2;
        var row = new float[inner];
        double sum = 0, sumOfSquares = 0;
        for (var y = 1; y < height - 1; y++)
        {
            var centre = luma.AsSpan((y * width) + 1, inner);
            TensorPrimitives.Add(luma.AsSpan(y * width, inner), luma.AsSpan((y * width) + 2, inner), row);
            TensorPrimitives.Add(row, luma.AsSpan(((y - 1) * width) + 1, inner), row);
            TensorPrimitives.Add(row, luma.AsSpan(((y + 1) * width) + 1, inner), row);
            TensorPrimitives.MultiplyAdd(centre, -4f, row, row);
            sum += TensorPrimitives.Sum(row);
            sumOfSquares += TensorPrimitives.SumOfSquares(row);
        }
        var count = (double)inner * (height - 2);
        var mean = sum / count;
        return (sumOfSquares / count) - (mean * mean);
    }
}
