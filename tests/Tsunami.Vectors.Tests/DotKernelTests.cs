using System.Runtime.Intrinsics;

namespace Tsunami.Vectors.Tests;

/// <summary>
/// The dot kernel against a double-precision sum at every length around the SIMD widths, so each masked remainder
/// (1 to 15 lanes of 16, 1 to 7 of 8, each overlapping lanes already summed) is covered; ./tsunami.sh test reruns this without AVX-512 and without SIMD.
/// </summary>
public sealed class DotKernelTests
{
    /// <summary>
    /// The reruns name the instructions they mean to leave (TSUNAMI_VECTOR_ISA): a runtime switch that stops being
    /// honoured (as DOTNET_EnableAVX512F was in .NET 10) would otherwise rerun the same kernels and prove nothing.
    /// </summary>
    [Fact]
    public void A_rerun_runs_on_the_instructions_it_asks_for()
    {
        var inUse = Vector512.IsHardwareAccelerated ? "avx512" : Vector256.IsHardwareAccelerated ? "avx2" : "scalar";
        if (Environment.GetEnvironmentVariable("TSUNAMI_VECTOR_ISA") is { } asked)
        {
            Assert.Equal(asked, inUse);
        }
    }

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
