using Tsunami.Core.Imaging;

namespace Tsunami.Inference.Vision;

/// <summary>
/// Resizes a region of an RGB image to planar float channels (0–255) with a triangle filter whose support widens
/// with the reduction, as PIL's antialiased bilinear does: model inputs come from 1280 px previews, reduced 3–5×,
/// where plain bilinear sampling aliases.
/// </summary>
internal static class Resampler
{
    /// <returns>Planar R, G, B: three blocks of <paramref name="height"/> × <paramref name="width"/> floats.</returns>
    public static float[] ToPlanar(RgbImage image, int regionX, int regionY, int regionWidth, int regionHeight, int width, int height)
    {
        if (regionWidth == width && regionHeight == height)
        {
            return Copy(image, regionX, regionY, width, height);
        }
        var horizontal = Taps.For(regionX, regionWidth, width, image.Width);
        var vertical = Taps.For(regionY, regionHeight, height, image.Height);
        var source = image.Pixels;
        var rowStride = image.Width * 3;

        // Horizontal pass over just the source rows the vertical taps touch, interleaved RGB.
        var firstRow = vertical.First;
        var rows = vertical.Last - firstRow + 1;
        var temporary = new float[rows * width * 3];
        for (var y = 0; y < rows; y++)
        {
            var sourceRow = (firstRow + y) * rowStride;
            var outRow = y * width * 3;
            for (var x = 0; x < width; x++)
            {
                float r = 0, g = 0, b = 0;
                var start = horizontal.Start[x];
                var weights = horizontal.WeightsAt(x);
                for (var k = 0; k < weights.Length; k++)
                {
                    var p = sourceRow + ((start + k) * 3);
                    var w = weights[k];
                    r += source[p] * w;
                    g += source[p + 1] * w;
                    b += source[p + 2] * w;
                }
                var o = outRow + (x * 3);
                temporary[o] = r;
                temporary[o + 1] = g;
                temporary[o + 2] = b;
            }
        }

        var planar = new float[3 * width * height];
        var plane = width * height;
        for (var y = 0; y < height; y++)
        {
            var start = vertical.Start[y] - firstRow;
            var weights = vertical.WeightsAt(y);
            for (var x = 0; x < width; x++)
            {
                float r = 0, g = 0, b = 0;
                for (var k = 0; k < weights.Length; k++)
                {
                    var p = (((start + k) * width) + x) * 3;
                    var w = weights[k];
                    r += temporary[p] * w;
                    g += temporary[p + 1] * w;
                    b += temporary[p + 2] * w;
                }
                var o = (y * width) + x;
                planar[o] = Math.Clamp(r, 0, 255);
                planar[plane + o] = Math.Clamp(g, 0, 255);
                planar[(2 * plane) + o] = Math.Clamp(b, 0, 255);
            }
        }
        return planar;
    }

    /// <summary>The region as it is: callers hand over images already at model size (PhotoProcessor.DecodeViews).</summary>
    private static float[] Copy(RgbImage image, int regionX, int regionY, int width, int height)
    {
        var planar = new float[3 * width * height];
        var plane = width * height;
        var pixels = image.Pixels;
        for (var y = 0; y < height; y++)
        {
            var source = (((regionY + y) * image.Width) + regionX) * 3;
            var target = y * width;
            for (var x = 0; x < width; x++, source += 3)
            {
                planar[target + x] = pixels[source];
                planar[plane + target + x] = pixels[source + 1];
                planar[(2 * plane) + target + x] = pixels[source + 2];
            }
        }
        return planar;
    }

    /// <summary>For each output position, the first source index and normalised weights of its taps.</summary>
    private sealed class Taps
    {
        private readonly float[] _weights;
        private readonly int[] _counts;
        private readonly int _stride;

        private Taps(int[] start, int[] counts, float[] weights, int stride)
        {
            Start = start;
            _counts = counts;
            _weights = weights;
            _stride = stride;
        }

        public int[] Start { get; }
        public int First => Start.Min();
        public int Last => Start.Select((s, i) => s + _counts[i] - 1).Max();

        public ReadOnlySpan<float> WeightsAt(int i) => _weights.AsSpan(i * _stride, _counts[i]);

        public static Taps For(int sourceStart, int sourceLength, int length, int sourceLimit)
        {
            var scale = (double)sourceLength / length;
            var filterScale = Math.Max(scale, 1.0);
            var support = filterScale;
            var stride = (int)Math.Ceiling(support) * 2 + 1;
            var starts = new int[length];
            var counts = new int[length];
            var weights = new float[length * stride];
            for (var i = 0; i < length; i++)
            {
                var center = sourceStart + ((i + 0.5) * scale);
                var low = Math.Max((int)Math.Floor(center - support), 0);
                var high = Math.Min((int)Math.Ceiling(center + support), sourceLimit);
                high = Math.Min(high, low + stride);
                double total = 0;
                for (var j = low; j < high; j++)
                {
                    total += Triangle((j + 0.5 - center) / filterScale);
                }
                if (total <= 0)
                {
                    // Upscaling at the edge: take the nearest pixel.
                    low = Math.Clamp((int)center, 0, sourceLimit - 1);
                    high = low + 1;
                    total = 1;
                    weights[i * stride] = 1;
                }
                else
                {
                    for (var j = low; j < high; j++)
                    {
                        weights[(i * stride) + j - low] = (float)(Triangle((j + 0.5 - center) / filterScale) / total);
                    }
                }
                starts[i] = low;
                counts[i] = high - low;
            }
            return new Taps(starts, counts, weights, stride);
        }

        private static double Triangle(double x) => Math.Max(0, 1 - Math.Abs(x));
    }
}
