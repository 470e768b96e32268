using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Tsunami.Vectors;

/// <summary>Exact distances of many queries at once: register-tiled kernels, a small matrix product each.</summary>
internal sealed partial class VectorSpace
{
    /// <summary>Up to <see cref="QueryGroup.Size"/> queries prepared together for <see cref="GroupDistances"/>.</summary>
    public QueryGroup PrepareGroup(IReadOnlyList<float[]> queries, int first)
    {
        var group = new QueryGroup(Dimensions, Math.Min(QueryGroup.Size, queries.Count - first));
        for (var i = 0; i < group.Count; i++)
        {
            var query = Prepare(queries[first + i]);
            group.SquaredNorms[i] = query.SquaredNorm;
            for (var d = 0; d < Dimensions; d++)
            {
                group.Transposed[(d * QueryGroup.Size) + i] = query.Vector[d];
            }
        }
        return group;
    }

    /// <summary>
    /// The distances of rows [<paramref name="first"/>, first + rows) to a group of queries, row after row, 16 a row.
    /// Four rows at a time: per dimension two loads give that dimension of all 16 queries, four broadcasts give the
    /// rows' values, eight FMAs feed eight independent accumulators whose lanes are distinct queries, so the FMA
    /// units stay busy and nothing needs a horizontal sum (a matrix product's register tile).
    /// </summary>
    public void GroupDistances(QueryGroup group, int first, int rows, Span<float> distances)
    {
        System.Diagnostics.Debug.Assert(_mapped is null, "exact scans run over heap rows only");
        if (Vector512.IsHardwareAccelerated)
        {
            GroupDistances512(group, first, rows, distances);
            return;
        }
        const int lanes = 8;
        ref var queries = ref MemoryMarshal.GetArrayDataReference(group.Transposed);
        ref var values = ref MemoryMarshal.GetArrayDataReference(_values);
        ref var output = ref MemoryMarshal.GetReference(distances);
        var queryNorms0 = Vector256.Create<float>(group.SquaredNorms.AsSpan(0, lanes));
        var queryNorms1 = Vector256.Create<float>(group.SquaredNorms.AsSpan(lanes, lanes));
        var row = 0;
        for (; row <= rows - 4; row += 4)
        {
            ref var x0 = ref Unsafe.Add(ref values, (nint)(first + row) * Dimensions);
            ref var x1 = ref Unsafe.Add(ref x0, Dimensions);
            ref var x2 = ref Unsafe.Add(ref x1, Dimensions);
            ref var x3 = ref Unsafe.Add(ref x2, Dimensions);
            Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
            for (var d = 0; d < Dimensions; d++)
            {
                var q0 = Vector256.LoadUnsafe(ref queries, (nuint)(d * QueryGroup.Size));
                var q1 = Vector256.LoadUnsafe(ref queries, (nuint)((d * QueryGroup.Size) + lanes));
                var b = Vector256.Create(Unsafe.Add(ref x0, d));
                a00 = Vector256.FusedMultiplyAdd(b, q0, a00);
                a01 = Vector256.FusedMultiplyAdd(b, q1, a01);
                b = Vector256.Create(Unsafe.Add(ref x1, d));
                a10 = Vector256.FusedMultiplyAdd(b, q0, a10);
                a11 = Vector256.FusedMultiplyAdd(b, q1, a11);
                b = Vector256.Create(Unsafe.Add(ref x2, d));
                a20 = Vector256.FusedMultiplyAdd(b, q0, a20);
                a21 = Vector256.FusedMultiplyAdd(b, q1, a21);
                b = Vector256.Create(Unsafe.Add(ref x3, d));
                a30 = Vector256.FusedMultiplyAdd(b, q0, a30);
                a31 = Vector256.FusedMultiplyAdd(b, q1, a31);
            }
            var at = (nuint)(row * QueryGroup.Size);
            Combine(a00, _norms[first + row], queryNorms0).StoreUnsafe(ref output, at);
            Combine(a01, _norms[first + row], queryNorms1).StoreUnsafe(ref output, at + lanes);
            Combine(a10, _norms[first + row + 1], queryNorms0).StoreUnsafe(ref output, at + 16);
            Combine(a11, _norms[first + row + 1], queryNorms1).StoreUnsafe(ref output, at + 16 + lanes);
            Combine(a20, _norms[first + row + 2], queryNorms0).StoreUnsafe(ref output, at + 32);
            Combine(a21, _norms[first + row + 2], queryNorms1).StoreUnsafe(ref output, at + 32 + lanes);
            Combine(a30, _norms[first + row + 3], queryNorms0).StoreUnsafe(ref output, at + 48);
            Combine(a31, _norms[first + row + 3], queryNorms1).StoreUnsafe(ref output, at + 48 + lanes);
        }
        for (; row < rows; row++)
        {
            ref var x = ref Unsafe.Add(ref values, (nint)(first + row) * Dimensions);
            Vector256<float> a0 = default, a1 = default;
            for (var d = 0; d < Dimensions; d++)
            {
                var b = Vector256.Create(Unsafe.Add(ref x, d));
                a0 = Vector256.FusedMultiplyAdd(b, Vector256.LoadUnsafe(ref queries, (nuint)(d * QueryGroup.Size)), a0);
                a1 = Vector256.FusedMultiplyAdd(b, Vector256.LoadUnsafe(ref queries, (nuint)((d * QueryGroup.Size) + lanes)), a1);
            }
            var at = (nuint)(row * QueryGroup.Size);
            Combine(a0, _norms[first + row], queryNorms0).StoreUnsafe(ref output, at);
            Combine(a1, _norms[first + row], queryNorms1).StoreUnsafe(ref output, at + lanes);
        }
    }

    /// <summary>
    /// <see cref="GroupDistances"/> with 16-lane registers: one load gives a dimension of all 16 queries, and eight
    /// rows at a time take eight broadcasts and eight FMAs into eight accumulators: half the instructions per
    /// multiply-add of the 8-lane tile (1,689 → 2,179 QPS for 2,000 GloVe queries, same run, same answers).
    /// </summary>
    private void GroupDistances512(QueryGroup group, int first, int rows, Span<float> distances)
    {
        const int tile = 8;
        ref var queries = ref MemoryMarshal.GetArrayDataReference(group.Transposed);
        ref var values = ref MemoryMarshal.GetArrayDataReference(_values);
        ref var output = ref MemoryMarshal.GetReference(distances);
        var queryNorms = Vector512.Create<float>(group.SquaredNorms);
        var dimensions = Dimensions;
        var row = 0;
        for (; row <= rows - tile; row += tile)
        {
            ref var x = ref Unsafe.Add(ref values, (nint)(first + row) * dimensions);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (var d = 0; d < dimensions; d++)
            {
                var q = Vector512.LoadUnsafe(ref queries, (nuint)(d * QueryGroup.Size));
                ref var xd = ref Unsafe.Add(ref x, d);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(xd), q, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xd, dimensions)), q, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xd, 2 * dimensions)), q, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xd, 3 * dimensions)), q, a3);
                a4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xd, 4 * dimensions)), q, a4);
                a5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xd, 5 * dimensions)), q, a5);
                a6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xd, 6 * dimensions)), q, a6);
                a7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xd, 7 * dimensions)), q, a7);
            }
            var at = (nuint)(row * QueryGroup.Size);
            Combine(a0, first + row, queryNorms).StoreUnsafe(ref output, at);
            Combine(a1, first + row + 1, queryNorms).StoreUnsafe(ref output, at + 16);
            Combine(a2, first + row + 2, queryNorms).StoreUnsafe(ref output, at + 32);
            Combine(a3, first + row + 3, queryNorms).StoreUnsafe(ref output, at + 48);
            Combine(a4, first + row + 4, queryNorms).StoreUnsafe(ref output, at + 64);
            Combine(a5, first + row + 5, queryNorms).StoreUnsafe(ref output, at + 80);
            Combine(a6, first + row + 6, queryNorms).StoreUnsafe(ref output, at + 96);
            Combine(a7, first + row + 7, queryNorms).StoreUnsafe(ref output, at + 112);
        }
        for (; row < rows; row++)
        {
            ref var x = ref Unsafe.Add(ref values, (nint)(first + row) * dimensions);
            var a = Vector512<float>.Zero;
            for (var d = 0; d < dimensions; d++)
            {
                a = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x, d)), Vector512.LoadUnsafe(ref queries, (nuint)(d * QueryGroup.Size)), a);
            }
            Combine(a, first + row, queryNorms).StoreUnsafe(ref output, (nuint)(row * QueryGroup.Size));
        }
    }

    private Vector512<float> Combine(Vector512<float> dots, int row, Vector512<float> queryNorms) => Metric switch
    {
        Metric.Cosine => Vector512<float>.One - dots,
        Metric.Dot => -dots,
        _ => Vector512.Max(Vector512<float>.Zero, Vector512.Create(_norms[row]) + queryNorms - (dots + dots)),
    };

    private Vector256<float> Combine(Vector256<float> dots, float rowNorm, Vector256<float> queryNorms) => Metric switch
    {
        Metric.Cosine => Vector256<float>.One - dots,
        Metric.Dot => -dots,
        _ => Vector256.Max(Vector256<float>.Zero, Vector256.Create(rowNorm) + queryNorms - (dots + dots)),
    };
}

/// <summary>
/// Up to 16 prepared queries stored dimension by dimension (16 floats a dimension, unused lanes zero), so one load
/// gives one dimension of every query in the group.
/// </summary>
internal sealed class QueryGroup(int dimensions, int count)
{
    public const int Size = 16;

    public int Count { get; } = count;
    public float[] Transposed { get; } = new float[dimensions * Size];
    public float[] SquaredNorms { get; } = new float[Size];
}
