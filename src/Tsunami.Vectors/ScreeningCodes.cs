using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Tsunami.Vectors;

/// <summary>
/// Exact scans that read a quarter of the bytes: each row is also kept as int8 codes (one scale per row), in blocks of
/// eight rows interleaved four dimensions at a time, so one VNNI instruction multiplies four dimensions of eight rows.
/// With the codes goes what bounds their error for that row: the exact dot product of a query q and a row x lies
/// within ‖q‖·‖x − x̂‖ + ‖q − q̂‖·‖x̂‖ of the coded one q̂·x̂ (Cauchy–Schwarz on the rounding residuals). A scan turns
/// that into an interval around every row's distance and keeps only the rows whose interval still reaches the k best
/// (<see cref="Screening"/>); the caller scores those on float32. Same answers as scoring every row.
/// </summary>
internal sealed class ScreeningCodes
{
    public const int BlockRows = 8;
    private const int Offset = 128; // rows are stored as unsigned bytes (VNNI multiplies unsigned by signed)
    private const int ChunkBlocks = 32; // 256 rows, ~26 KB of 100-d codes: stays in cache while a batch's groups pass
    private const int SlabGroups = 32; // 256 queries, ~26 KB of 100-d codes

    private readonly Metric _metric;
    private readonly int _quads;
    private byte[] _codes = [];
    // Per row, padded to whole blocks: the coded dot's factor, the row's part of the distance, and the error terms.
    private float[] _scale = [], _constant = [], _residual = [], _codedNorm = [], _slack = [];
    // Per block, the largest of its rows' error terms (never lowered: a larger one still bounds), for a first test.
    private float[] _widest = [];
    private int _rows;

    public ScreeningCodes(int dimensions, Metric metric)
    {
        Dimensions = dimensions;
        _metric = metric;
        _quads = (dimensions + 3) / 4;
    }

    /// <summary>Screening pays where the CPU multiplies bytes in SIMD (AVX-VNNI); elsewhere scans score every row on float32.</summary>
    public static bool IsSupported => AvxVnni.IsSupported;

    public int Dimensions { get; }

    /// <summary>Bytes of the rows held: codes, five floats a row, three a block.</summary>
    public long Bytes => ((long)_rows * ((_quads * 4) + (5 * sizeof(float)))) + ((_rows + BlockRows - 1) / BlockRows * 3L * sizeof(float));

    /// <summary>Codes row <paramref name="row"/> (as the float rows store it: unit length for cosine).</summary>
    public void Write(int row, ReadOnlySpan<float> vector)
    {
        var blocks = (row / BlockRows) + 1;
        if (blocks * BlockRows > _scale.Length)
        {
            Grow(Math.Max(blocks, _scale.Length / BlockRows * 2));
        }
        Span<sbyte> codes = stackalloc sbyte[_quads * 4];
        var coded = Code(vector, codes);
        var block = _codes.AsSpan(row / BlockRows * _quads * 32, _quads * 32);
        var lane = row % BlockRows * 4;
        for (var quad = 0; quad < _quads; quad++)
        {
            for (var i = 0; i < 4; i++)
            {
                block[(quad * 32) + lane + i] = (byte)(codes[(quad * 4) + i] + Offset);
            }
        }
        // distance = constant(row) + constant(query) + factor · q·x, with the error bound of the summary (times |factor|)
        // plus what float32 rounding can add to the sums on either side: (‖q‖ + ‖x‖)² · RoundingSlack, split into its
        // row, query and cross terms so every part is a product of one row value and one query value.
        var factor = _metric == Metric.L2 ? -2f : -1f;
        var norm = coded.Norm;
        var slack = RoundingSlack(Dimensions);
        _scale[row] = factor * coded.Scale;
        _constant[row] = _metric == Metric.L2 ? norm * norm : 0;
        _residual[row] = (-factor * coded.Residual) + (2 * slack * norm);
        _codedNorm[row] = -factor * coded.CodedNorm;
        _slack[row] = slack * norm * norm;
        var widest = _widest.AsSpan(row / BlockRows * 3, 3);
        widest[0] = Math.Max(widest[0], _residual[row]);
        widest[1] = Math.Max(widest[1], _codedNorm[row]);
        widest[2] = Math.Max(widest[2], _slack[row]);
        _rows = Math.Max(_rows, row + 1);
    }

    /// <summary>Rows no longer held (the index shrank): their codes are left, never read again.</summary>
    public void Truncate(int rows) => _rows = rows;

    /// <summary>Four times the relative error float32 sums of this length can reach ((n + 8) · 2⁻²⁴, Higham's γₙ with room).</summary>
    private static float RoundingSlack(int dimensions) => (dimensions + 8) * 4 * 5.97e-8f;

    private void Grow(int blocks)
    {
        Array.Resize(ref _codes, blocks * _quads * 32);
        var rows = blocks * BlockRows;
        Array.Resize(ref _scale, rows);
        Array.Resize(ref _constant, rows);
        Array.Resize(ref _residual, rows);
        Array.Resize(ref _codedNorm, rows);
        Array.Resize(ref _slack, rows);
        Array.Resize(ref _widest, blocks * 3);
    }

    /// <summary>A query coded for <see cref="Screen"/>: its codes four at a time, and its terms of the distance and the bound.</summary>
    public Probe Prepare(ReadOnlySpan<float> query)
    {
        Span<sbyte> codes = stackalloc sbyte[_quads * 4];
        var coded = Code(query, codes);
        var sum = 0;
        foreach (var code in codes)
        {
            sum += code;
        }
        var norm = coded.Norm;
        var slack = RoundingSlack(Dimensions);
        return new Probe(
            [.. MemoryMarshal.Cast<sbyte, int>(codes)],
            Offset * sum,
            coded.Scale,
            _metric switch { Metric.Cosine => 1, Metric.Dot => 0, _ => norm * norm },
            norm,
            coded.Residual,
            slack * norm * norm);
    }

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
                Sums(block, probe.Quads, sums);
            }
            else
            {
                for (var i = 0; i < blocks; i++)
                {
                    Sums(block + i, probe.Quads, sums.Slice(i * BlockRows, BlockRows));
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
    private void Sums(int block, int[] quads, Span<int> output)
    {
        var blockBytes = _quads * 32;
        ref var at = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_codes), block * blockBytes);
        ref var query = ref MemoryMarshal.GetArrayDataReference(quads);
        ref var o = ref MemoryMarshal.GetReference(output);
        if (output.Length == BlockRows)
        {
            var a = Vector256<int>.Zero;
            for (var quad = 0; quad < _quads; quad++)
            {
                a = AvxVnni.MultiplyWideningAndAdd(a, Vector256.LoadUnsafe(ref at, (nuint)(quad * 32)), Vector256.Create(Unsafe.Add(ref query, quad)).AsSByte());
            }
            a.StoreUnsafe(ref o);
            return;
        }
        // Four blocks share each broadcast of the query's codes.
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
        a0.StoreUnsafe(ref o);
        a1.StoreUnsafe(ref o, 8);
        a2.StoreUnsafe(ref o, 16);
        a3.StoreUnsafe(ref o, 24);
    }

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
                    var threshold = Vector256.Create<float>(thresholds.AsSpan(first, ProbeGroup.Size)) + group.ReachOffsets;
                    for (var block = chunk; block < end; block++)
                    {
                        var widest = _widest.AsSpan(block * 3, 3);
                        var blockReach = Vector256.FusedMultiplyAdd(group.Norms, Vector256.Create(widest[0]), Vector256.FusedMultiplyAdd(group.Residuals, Vector256.Create(widest[1]), threshold + Vector256.Create(widest[2])));
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
                        threshold = Vector256.Create<float>(thresholds.AsSpan(first, ProbeGroup.Size)) + group.ReachOffsets;
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
        var scale = Load(_scale, at);
        var constant = Load(_constant, at);
        var offsets = group.CodeOffsets;
        var scales = group.Scales;
        var pass = Reaches(a0, offsets[0], scales[0], reach[0], scale, constant) | Reaches(a1, offsets[1], scales[1], reach[1], scale, constant)
            | Reaches(a2, offsets[2], scales[2], reach[2], scale, constant) | Reaches(a3, offsets[3], scales[3], reach[3], scale, constant)
            | Reaches(a4, offsets[4], scales[4], reach[4], scale, constant) | Reaches(a5, offsets[5], scales[5], reach[5], scale, constant)
            | Reaches(a6, offsets[6], scales[6], reach[6], scale, constant) | Reaches(a7, offsets[7], scales[7], reach[7], scale, constant);
        return pass != Vector256<float>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reaches(Vector256<int> sums, int offset, float queryScale, float reach, Vector256<float> scale, Vector256<float> constant) =>
        Vector256.LessThanOrEqual(
            Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sums - Vector256.Create(offset)) * scale, Vector256.Create(queryScale), constant),
            Vector256.Create(reach));

    /// <summary>
    /// The distance interval of a block's eight rows; the rows whose lower end reaches the k best go to the screening.
    /// One comparison with the block's widest error first: most blocks end there, the rest compute each row's own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Bound(Vector256<int> sums, in BlockTerms rows, Probe probe, int count, Screening screening)
    {
        // Computed as Tile's first test computes it, to the last bit.
        var middle = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sums - Vector256.Create(probe.CodeOffset)) * rows.Scale, Vector256.Create(probe.Scale), rows.Constant);
        // The query's own constant and slack are the same for every row: they move the threshold instead.
        var reach = screening.Threshold - probe.Constant + probe.Slack;
        var widest = (probe.Norm * rows.WidestResidual) + (probe.Residual * rows.WidestCodedNorm) + rows.WidestSlack;
        var mask = Vector256.LessThanOrEqual(middle, Vector256.Create(reach + widest)).ExtractMostSignificantBits();
        if (mask == 0)
        {
            return;
        }
        var at = rows.First;
        var error = Vector256.FusedMultiplyAdd(Vector256.Create(probe.Norm), Load(_residual, at), Vector256.FusedMultiplyAdd(Vector256.Create(probe.Residual), Load(_codedNorm, at), Load(_slack, at)));
        var lower = middle - error;
        for (mask = Vector256.LessThanOrEqual(lower, Vector256.Create(reach)).ExtractMostSignificantBits(); mask != 0; mask &= mask - 1)
        {
            var lane = System.Numerics.BitOperations.TrailingZeroCount(mask);
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
        return new BlockTerms(at, Load(_scale, at), Load(_constant, at), widest[0], widest[1], widest[2]);
    }

    /// <summary>A block's first row, its rows' factors and constants, and its widest error terms, loaded once for every query.</summary>
    private readonly record struct BlockTerms(
        int First, Vector256<float> Scale, Vector256<float> Constant, float WidestResidual, float WidestCodedNorm, float WidestSlack);

    private static Vector256<float> Load(float[] values, int at) => Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(values), (nuint)at);

    /// <summary>Codes a vector (one scale, codes rounded to even within ±127) and measures what the coding lost.</summary>
    private static Coded Code(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        codes.Clear();
        var scale = Int8Codes.Encode(vector, codes[..vector.Length]);
        double residual = 0, coded = 0, norm = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            var value = (double)scale * codes[i];
            residual += (vector[i] - value) * (vector[i] - value);
            coded += value * value;
            norm += (double)vector[i] * vector[i];
        }
        // Rounded up a little, so the float32 copies are never below the values they stand for.
        return new Coded(scale, Up(Math.Sqrt(residual)), Up(Math.Sqrt(coded)), Up(Math.Sqrt(norm)));
    }

    private static float Up(double value) => (float)(value * (1 + 1e-6));

    private readonly record struct Coded(float Scale, float Residual, float CodedNorm, float Norm);

    /// <summary>
    /// A coded query: its codes four to an int (one broadcast each), Σ128·code to take off the unsigned rows' sums,
    /// its scale, its constant part of the distance, its norm, its coding residual and its rounding slack.
    /// </summary>
    internal sealed record Probe(int[] Quads, int CodeOffset, float Scale, float Constant, float Norm, float Residual, float Slack);

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
            CodeOffsets = [.. Probes.Select(p => p.CodeOffset), .. new int[Size - Probes.Length]];
            Scales = [.. Probes.Select(p => p.Scale), .. new float[Size - Probes.Length]];
            Norms = Vector256.Create([.. Probes.Select(p => p.Norm), .. new float[Size - Probes.Length]]);
            Residuals = Vector256.Create([.. Probes.Select(p => p.Residual), .. new float[Size - Probes.Length]]);
            ReachOffsets = Vector256.Create([.. Probes.Select(p => p.Slack - p.Constant), .. new float[Size - Probes.Length]]);
        }

        public Probe[] Probes { get; }
        public int[] Quads { get; }
        public int[] CodeOffsets { get; }
        public float[] Scales { get; }
        public Vector256<float> Norms { get; }
        public Vector256<float> Residuals { get; }

        /// <summary>What turns a threshold into the reach of the coded middle distances: the query's slack less its constant.</summary>
        public Vector256<float> ReachOffsets { get; }
    }
}
