using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Tsunami.Vectors;

/// <summary>Many queries' scan over the codes at once: eight queries by eight rows a register tile.</summary>
internal sealed partial class ScreeningCodes
{
    private const int ChunkBlocks = 32; // 256 rows, ~26 KB of 100-d codes: stays in cache while a slab's groups pass
    private const int SlabGroups = 32; // 256 queries, ~26 KB of 100-d codes

    /// <summary>
    /// Screens rows for up to eight queries at once: while a chunk of blocks sits in cache, each group of eight
    /// queries passes over it, one load of a block's codes feeding eight multiplies (a matrix product's register tile).
    /// The tile tests its eight sums against each query's reach while they are in registers; only a block some row
    /// of which may pass goes through <see cref="Bound"/> (the first test is most of the work otherwise).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Screen(ReadOnlySpan<ProbeGroup> groups, int rows, Screening[] screenings)
    {
        var blocks = (rows + BlockRows - 1) / BlockRows;
        Span<int> tile = stackalloc int[BlockRows * ProbeGroup.Size];
        Span<float> reach = stackalloc float[ProbeGroup.Size];
        // Each query's threshold, copied out of its screening after every change (only Bound changes it).
        var thresholds = new float[groups.Length * ProbeGroup.Size];
        for (var i = 0; i < thresholds.Length; i++)
        {
            thresholds[i] = i < screenings.Length ? screenings[i].Threshold : float.NegativeInfinity;
        }
        // A slab of query groups and a chunk of rows both stay in cache while the one passes over the other; the rows
        // stream from memory once a slab.
        for (var slab = 0; slab < groups.Length; slab += SlabGroups)
        {
            var slabEnd = Math.Min(groups.Length, slab + SlabGroups);
            for (var chunk = 0; chunk < blocks; chunk += ChunkBlocks)
            {
                var end = Math.Min(blocks, chunk + ChunkBlocks);
                for (var g = slab; g < slabEnd; g++)
                {
                    var group = groups[g];
                    var first = g * ProbeGroup.Size;
                    var groupReach = Vector256.Create<float>(thresholds.AsSpan(first, ProbeGroup.Size)) + group.ReachOffsets;
                    for (var block = chunk; block < end; block++)
                    {
                        var widest = _widest.AsSpan(block * 3, 3);
                        var blockReach = Vector256.FusedMultiplyAdd(group.Norms, Vector256.Create(widest[0]), Vector256.FusedMultiplyAdd(group.Residuals, Vector256.Create(widest[1]), groupReach + Vector256.Create(widest[2])));
                        blockReach.CopyTo(reach);
                        if (!Tile(block, group, reach, tile))
                        {
                            continue;
                        }
                        var terms = Terms(block);
                        for (var i = 0; i < group.Probes.Length; i++)
                        {
                            Bound(Vector256.Create<int>(tile.Slice(i * BlockRows, BlockRows)), terms, group.Probes[i], rows, screenings[first + i]);
                            thresholds[first + i] = screenings[first + i].Threshold;
                        }
                        groupReach = Vector256.Create<float>(thresholds.AsSpan(first, ProbeGroup.Size)) + group.ReachOffsets;
                    }
                }
            }
        }
    }

    /// <summary>The sums of a block's rows with eight queries; true when some row's middle distance is within a query's reach.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Tile(int block, ProbeGroup group, ReadOnlySpan<float> reach, Span<int> output)
    {
        ref var codes = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_codes), block * _quads * 32);
        ref var q = ref MemoryMarshal.GetArrayDataReference(group.Quads);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (var quad = 0; quad < _quads; quad++)
        {
            var x = Vector256.LoadUnsafe(ref codes, (nuint)(quad * 32));
            ref var of = ref Unsafe.Add(ref q, quad * ProbeGroup.Size);
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, Vector256.Create(of).AsSByte());
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, Vector256.Create(Unsafe.Add(ref of, 1)).AsSByte());
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, Vector256.Create(Unsafe.Add(ref of, 2)).AsSByte());
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, Vector256.Create(Unsafe.Add(ref of, 3)).AsSByte());
            a4 = AvxVnni.MultiplyWideningAndAdd(a4, x, Vector256.Create(Unsafe.Add(ref of, 4)).AsSByte());
            a5 = AvxVnni.MultiplyWideningAndAdd(a5, x, Vector256.Create(Unsafe.Add(ref of, 5)).AsSByte());
            a6 = AvxVnni.MultiplyWideningAndAdd(a6, x, Vector256.Create(Unsafe.Add(ref of, 6)).AsSByte());
            a7 = AvxVnni.MultiplyWideningAndAdd(a7, x, Vector256.Create(Unsafe.Add(ref of, 7)).AsSByte());
        }
        ref var o = ref MemoryMarshal.GetReference(output);
        a0.StoreUnsafe(ref o);
        a1.StoreUnsafe(ref o, 8);
        a2.StoreUnsafe(ref o, 16);
        a3.StoreUnsafe(ref o, 24);
        a4.StoreUnsafe(ref o, 32);
        a5.StoreUnsafe(ref o, 40);
        a6.StoreUnsafe(ref o, 48);
        a7.StoreUnsafe(ref o, 56);
        var at = block * BlockRows;
        var factor = Load(_factor, at);
        var constant = Load(_constant, at);
        var offsets = group.CodeOffsets;
        var scales = group.Scales;
        var pass = Reaches(a0, offsets[0], scales[0], reach[0], factor, constant) | Reaches(a1, offsets[1], scales[1], reach[1], factor, constant)
            | Reaches(a2, offsets[2], scales[2], reach[2], factor, constant) | Reaches(a3, offsets[3], scales[3], reach[3], factor, constant)
            | Reaches(a4, offsets[4], scales[4], reach[4], factor, constant) | Reaches(a5, offsets[5], scales[5], reach[5], factor, constant)
            | Reaches(a6, offsets[6], scales[6], reach[6], factor, constant) | Reaches(a7, offsets[7], scales[7], reach[7], factor, constant);
        return pass != Vector256<float>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reaches(Vector256<int> sums, int codeOffset, float queryScale, float reach, Vector256<float> factor, Vector256<float> constant) =>
        Vector256.LessThanOrEqual(Middle(sums, codeOffset, queryScale, factor, constant), Vector256.Create(reach));

    /// <summary>Up to eight probes with their codes interleaved (quad by quad, eight queries a quad) for the batch tile.</summary>
    internal sealed class ProbeGroup
    {
        public const int Size = 8;

        public ProbeGroup(IReadOnlyList<Probe> probes)
        {
            Probes = [.. probes];
            var quads = probes[0].Quads.Length;
            Quads = new int[quads * Size];
            for (var i = 0; i < Probes.Length; i++)
            {
                for (var quad = 0; quad < quads; quad++)
                {
                    Quads[(quad * Size) + i] = Probes[i].Quads[quad];
                }
            }
            CodeOffsets = Lanes(p => p.CodeOffset);
            Scales = Lanes(p => p.Scale);
            Norms = Vector256.Create(Lanes(p => p.Norm));
            Residuals = Vector256.Create(Lanes(p => p.Residual));
            ReachOffsets = Vector256.Create(Lanes(p => p.Slack - p.Constant));
        }

        public Probe[] Probes { get; }
        public int[] Quads { get; }
        public int[] CodeOffsets { get; }
        public float[] Scales { get; }
        public Vector256<float> Norms { get; }
        public Vector256<float> Residuals { get; }

        /// <summary>What turns a threshold into the reach of the coded middle distances: the query's slack less its constant.</summary>
        public Vector256<float> ReachOffsets { get; }

        /// <summary>One value a probe, zero in the lanes of a group with fewer than eight.</summary>
        private T[] Lanes<T>(Func<Probe, T> value) => [.. Probes.Select(value), .. new T[Size - Probes.Length]];
    }
}
