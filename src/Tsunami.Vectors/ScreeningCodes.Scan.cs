using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Tsunami.Vectors;

/// <summary>One query's scan over the codes, and the interval test every scan ends in.</summary>
internal sealed partial class ScreeningCodes
{
    /// <summary>
    /// Screens rows [<paramref name="fromBlock"/>·8, <paramref name="toBlock"/>·8) ∩ [0, <paramref name="rows"/>) for
    /// one query. Four blocks a step share each broadcast of the query's codes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first query: no tiering up through slow code
    public void Screen(Probe probe, int fromBlock, int toBlock, int rows, Screening screening)
    {
        const int step = 4;
        Span<int> sums = stackalloc int[step * BlockRows];
        for (var block = fromBlock; block < toBlock; block += step)
        {
            var blocks = Math.Min(step, toBlock - block);
            if (blocks == step)
            {
                SumsOfFourBlocks(block, probe.Quads, sums);
            }
            else
            {
                for (var i = 0; i < blocks; i++)
                {
                    SumsOfBlock(block + i, probe.Quads, sums.Slice(i * BlockRows, BlockRows));
                }
            }
            for (var i = 0; i < blocks; i++)
            {
                Bound(Vector256.Create<int>(sums.Slice(i * BlockRows, BlockRows)), Terms(block + i), probe, rows, screening);
            }
        }
    }

    // The multiply loops are methods of their own so that their accumulators stay in registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SumsOfBlock(int block, int[] quads, Span<int> output)
    {
        ref var at = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_codes), block * _quads * 32);
        ref var query = ref MemoryMarshal.GetArrayDataReference(quads);
        var a = Vector256<int>.Zero;
        for (var quad = 0; quad < _quads; quad++)
        {
            a = AvxVnni.MultiplyWideningAndAdd(a, Vector256.LoadUnsafe(ref at, (nuint)(quad * 32)), Vector256.Create(Unsafe.Add(ref query, quad)).AsSByte());
        }
        a.StoreUnsafe(ref MemoryMarshal.GetReference(output));
    }

    /// <summary>Four blocks at once: they share each broadcast of the query's codes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SumsOfFourBlocks(int block, int[] quads, Span<int> output)
    {
        var blockBytes = _quads * 32;
        ref var at = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_codes), block * blockBytes);
        ref var query = ref MemoryMarshal.GetArrayDataReference(quads);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (var quad = 0; quad < _quads; quad++)
        {
            var q = Vector256.Create(Unsafe.Add(ref query, quad)).AsSByte();
            ref var x = ref Unsafe.Add(ref at, quad * 32);
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.LoadUnsafe(ref x), q);
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.LoadUnsafe(ref x, (nuint)blockBytes), q);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, Vector256.LoadUnsafe(ref x, (nuint)(2 * blockBytes)), q);
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, Vector256.LoadUnsafe(ref x, (nuint)(3 * blockBytes)), q);
        }
        ref var o = ref MemoryMarshal.GetReference(output);
        a0.StoreUnsafe(ref o);
        a1.StoreUnsafe(ref o, 8);
        a2.StoreUnsafe(ref o, 16);
        a3.StoreUnsafe(ref o, 24);
    }

    /// <summary>A block's eight middle distances (less the query's constant) from its sums with one query.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Middle(Vector256<int> sums, int codeOffset, float queryScale, Vector256<float> factor, Vector256<float> constant) =>
        Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sums - Vector256.Create(codeOffset)) * factor, Vector256.Create(queryScale), constant);

    /// <summary>
    /// The distance interval of a block's eight rows; the rows whose lower end reaches the k best go to the screening.
    /// One comparison with the block's widest error first: most blocks end there, the rest compute each row's own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Bound(Vector256<int> sums, in BlockTerms rows, Probe probe, int count, Screening screening)
    {
        var middle = Middle(sums, probe.CodeOffset, probe.Scale, rows.Factor, rows.Constant);
        // The query's own constant and slack are the same for every row: they move the threshold instead.
        var reach = screening.Threshold - probe.Constant + probe.Slack;
        var widest = (probe.Norm * rows.WidestByQueryNorm) + (probe.Residual * rows.WidestByQueryResidual) + rows.WidestRowSlack;
        var mask = Vector256.LessThanOrEqual(middle, Vector256.Create(reach + widest)).ExtractMostSignificantBits();
        if (mask == 0)
        {
            return;
        }
        var at = rows.First;
        var error = Vector256.FusedMultiplyAdd(Vector256.Create(probe.Norm), Load(_byQueryNorm, at), Vector256.FusedMultiplyAdd(Vector256.Create(probe.Residual), Load(_byQueryResidual, at), Load(_rowSlack, at)));
        var lower = middle - error;
        for (mask = Vector256.LessThanOrEqual(lower, Vector256.Create(reach)).ExtractMostSignificantBits(); mask != 0; mask &= mask - 1)
        {
            var lane = BitOperations.TrailingZeroCount(mask);
            if (at + lane < count)
            {
                var constant = probe.Constant;
                screening.Consider(at + lane, lower[lane] + constant - probe.Slack, middle[lane] + error[lane] + constant + probe.Slack);
            }
        }
    }

    private BlockTerms Terms(int block)
    {
        var at = block * BlockRows;
        var widest = _widest.AsSpan(block * 3, 3);
        return new BlockTerms(at, Load(_factor, at), Load(_constant, at), widest[0], widest[1], widest[2]);
    }

    /// <summary>A block's first row, its rows' factors and constants, and its widest error terms, loaded once for every query.</summary>
    private readonly record struct BlockTerms(
        int First, Vector256<float> Factor, Vector256<float> Constant, float WidestByQueryNorm, float WidestByQueryResidual, float WidestRowSlack);

    private static Vector256<float> Load(float[] values, int at) => Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(values), (nuint)at);
}
