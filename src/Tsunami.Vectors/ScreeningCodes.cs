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
internal sealed partial class ScreeningCodes
{
    public const int BlockRows = 8;
    private const int Offset = 128; // rows are stored as unsigned bytes (VNNI multiplies unsigned by signed)

    private readonly Metric _metric;
    private readonly int _dimensions;
    private readonly int _quads;
    private byte[] _codes = [];
    // Per row, padded to whole blocks. distance = constant(row) + constant(query) + factor(row)·(q̂·x̂ in code units),
    // within ‖q‖·byQueryNorm(row) + ‖q − q̂‖·byQueryResidual(row) + rowSlack(row) + the query's own slack.
    private float[] _factor = [], _constant = [], _byQueryNorm = [], _byQueryResidual = [], _rowSlack = [];
    // Per block, the largest of its rows' three error terms (never lowered: a larger one still bounds), for a first test.
    private float[] _widest = [];
    private int _rows;

    public ScreeningCodes(int dimensions, Metric metric)
    {
        _dimensions = dimensions;
        _metric = metric;
        _quads = (dimensions + 3) / 4;
    }

    /// <summary>Screening pays where the CPU multiplies bytes in SIMD (AVX-VNNI); elsewhere scans score every row on float32.</summary>
    public static bool IsSupported => AvxVnni.IsSupported;

    /// <summary>Bytes of the rows held: codes, five floats a row, three a block.</summary>
    public long Bytes => ((long)_rows * ((_quads * 4) + (5 * sizeof(float)))) + ((_rows + BlockRows - 1) / BlockRows * 3L * sizeof(float));

    /// <summary>Codes row <paramref name="row"/> (as the float rows store it: unit length for cosine).</summary>
    public void Write(int row, ReadOnlySpan<float> vector)
    {
        var blocks = (row / BlockRows) + 1;
        if (blocks * BlockRows > _factor.Length)
        {
            Grow(Math.Max(blocks, _factor.Length / BlockRows * 2));
        }
        var codes = _quads <= 256 ? stackalloc sbyte[_quads * 4] : new sbyte[_quads * 4];
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
        // The dot's error bound times |factor|, plus what float32 rounding can add to the sums on either side,
        // (‖q‖ + ‖x‖)² · RoundingSlack, split into row, query and cross terms: each a row value times a query value.
        var factor = _metric == Metric.L2 ? -2f : -1f;
        var slack = RoundingSlack(_dimensions);
        _factor[row] = factor * coded.Scale;
        _constant[row] = _metric == Metric.L2 ? coded.SquaredNorm : 0;
        _byQueryNorm[row] = (-factor * coded.Residual) + (2 * slack * coded.Norm);
        _byQueryResidual[row] = -factor * coded.CodedNorm;
        _rowSlack[row] = slack * coded.Norm * coded.Norm;
        var widest = _widest.AsSpan(row / BlockRows * 3, 3);
        widest[0] = Math.Max(widest[0], _byQueryNorm[row]);
        widest[1] = Math.Max(widest[1], _byQueryResidual[row]);
        widest[2] = Math.Max(widest[2], _rowSlack[row]);
        _rows = Math.Max(_rows, row + 1);
    }

    /// <summary>
    /// Rows no longer held (the index shrank): their codes are left in place, and scans mask their lanes out (the
    /// block's widest error may stay larger than its rows' now: still a bound).
    /// </summary>
    public void Truncate(int rows) => _rows = rows;

    /// <summary>Four times the relative error float32 sums of this length can reach ((n + 8) · 2⁻²⁴, Higham's γₙ with room).</summary>
    private static float RoundingSlack(int dimensions) => (dimensions + 8) * 4 * 5.97e-8f;

    private void Grow(int blocks)
    {
        Array.Resize(ref _codes, blocks * _quads * 32);
        var rows = blocks * BlockRows;
        Array.Resize(ref _factor, rows);
        Array.Resize(ref _constant, rows);
        Array.Resize(ref _byQueryNorm, rows);
        Array.Resize(ref _byQueryResidual, rows);
        Array.Resize(ref _rowSlack, rows);
        Array.Resize(ref _widest, blocks * 3);
    }

    /// <summary>A query coded for <see cref="Screen(Probe, int, int, int, Screening)"/>: its codes four at a time, and its terms of the distance and the bound.</summary>
    public Probe Prepare(ReadOnlySpan<float> query)
    {
        var codes = _quads <= 256 ? stackalloc sbyte[_quads * 4] : new sbyte[_quads * 4];
        var coded = Code(query, codes);
        var sum = 0;
        foreach (var code in codes)
        {
            sum += code;
        }
        return new Probe(
            [.. MemoryMarshal.Cast<sbyte, int>(codes)],
            Offset * sum,
            coded.Scale,
            _metric switch { Metric.Cosine => 1, Metric.Dot => 0, _ => coded.SquaredNorm },
            coded.Norm,
            coded.Residual,
            RoundingSlack(_dimensions) * coded.Norm * coded.Norm);
    }

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
        // The bound's norms rounded up a little, so the float32 copies are never below the values they stand for; the
        // squared norm is the distance's own term (L2), kept as it is.
        return new Coded(scale, Up(Math.Sqrt(residual)), Up(Math.Sqrt(coded)), Up(Math.Sqrt(norm)), (float)norm);
    }

    private static float Up(double value) => (float)(value * (1 + 1e-6));

    private readonly record struct Coded(float Scale, float Residual, float CodedNorm, float Norm, float SquaredNorm);

    /// <summary>
    /// A coded query: its codes four to an int (one broadcast each), Σ128·code to take off the unsigned rows' sums,
    /// its scale, its constant part of the distance, its norm, its coding residual and its rounding slack.
    /// </summary>
    internal sealed record Probe(int[] Quads, int CodeOffset, float Scale, float Constant, float Norm, float Residual, float Slack);
}
