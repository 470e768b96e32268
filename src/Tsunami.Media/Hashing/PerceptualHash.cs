namespace Tsunami.Media.Hashing;

/// <summary>
/// The DCT perceptual hash (pHash): the 8×8 lowest frequencies of a 32×32 grey image, each bit set when its
/// coefficient is above their median. Re-encoding, resizing and mild edits flip few bits; different photos ~32.
/// </summary>
public static class PerceptualHash
{
    public const int Side = 32;
    private const int Low = 8;

    // Cos[u, x] = cos((2x + 1)uπ / 64), the DCT-II basis for the 8 lowest frequencies.
    private static readonly float[] Cos = BuildCosines();

    /// <param name="grey">Side × Side luminance values, row-major.</param>
    public static ulong Compute(ReadOnlySpan<byte> grey)
    {
        if (grey.Length != Side * Side)
        {
            throw new ArgumentException($"Expected {Side * Side} grey pixels, got {grey.Length}.", nameof(grey));
        }

        // Separable DCT: rows first (32 rows × 8 frequencies), then columns of that (8 × 8).
        Span<float> rows = stackalloc float[Side * Low];
        for (var y = 0; y < Side; y++)
        {
            for (var u = 0; u < Low; u++)
            {
                var sum = 0f;
                for (var x = 0; x < Side; x++)
                {
                    sum += grey[(y * Side) + x] * Cos[(u * Side) + x];
                }
                rows[(y * Low) + u] = sum;
            }
        }

        Span<float> coefficients = stackalloc float[Low * Low];
        for (var v = 0; v < Low; v++)
        {
            for (var u = 0; u < Low; u++)
            {
                var sum = 0f;
                for (var y = 0; y < Side; y++)
                {
                    sum += rows[(y * Low) + u] * Cos[(v * Side) + y];
                }
                coefficients[(v * Low) + u] = sum;
            }
        }

        Span<float> sorted = stackalloc float[Low * Low];
        coefficients.CopyTo(sorted);
        sorted.Sort();
        var median = (sorted[31] + sorted[32]) / 2;

        ulong hash = 0;
        for (var i = 0; i < Low * Low; i++)
        {
            if (coefficients[i] > median)
            {
                hash |= 1UL << i;
            }
        }
        return hash;
    }

    public static int Distance(ulong a, ulong b) => (int)ulong.PopCount(a ^ b);

    private static float[] BuildCosines()
    {
        var table = new float[Low * Side];
        for (var u = 0; u < Low; u++)
        {
            for (var x = 0; x < Side; x++)
            {
                table[(u * Side) + x] = (float)Math.Cos((((2 * x) + 1) * u * Math.PI) / (2 * Side));
            }
        }
        return table;
    }
}
