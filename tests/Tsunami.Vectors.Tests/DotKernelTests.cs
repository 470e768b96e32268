namespace Tsunami.Vectors.Tests;

/// <summary>
/// The dot kernel against a double-precision sum at every length around the SIMD widths, so each masked remainder
/// (1 to 15 lanes of 16, 1 to 7 of 8, each overlapping lanes already summed) is covered; ./tsunami.sh test reruns this without AVX-512 and without SIMD.
/// </summary>
public sealed class DotKernelTests
{
    [Fact]
    public void Every_length_gives_the_exact_sum()
    {
        var random = new Random(7);
        for (var length = 1; length <= 70; length++)
        {
            var a = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var b = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var expected = a.Zip(b, (x, y) => (double)x * y).Sum();
            Assert.True(Math.Abs(DotKernel.Dot(a, b) - expected) < 1e-5, $"length {length}: {DotKernel.Dot(a, b)} ≠ {expected}");
        }
    }
}
