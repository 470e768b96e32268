using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Tsunami.Vectors;

/// <summary>
/// Vectors of one dimension and metric in one growable row-major array, with the distance kernel: every metric is
/// a dot product (TensorPrimitives, SIMD) plus, for L2, the stored squared norms: ‖a−b‖² = ‖a‖² + ‖b‖² − 2a·b.
/// Distances: cosine 1 − cos, dot −a·b, L2 squared Euclidean.
/// </summary>
internal sealed partial class VectorSpace(int dimensions, Metric metric, bool int8 = false) : IDisposable
{
    private readonly Int8Codes? _codes = int8 ? new Int8Codes(dimensions) : null;
    private MappedRows? _mapped;
    private float[] _values = new float[dimensions * 1024]; // rows from MappedCount on
    private float[] _norms = new float[1024];

    public int Dimensions { get; } = dimensions > 0 ? dimensions : throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "a vector index needs at least one dimension");
    public Metric Metric { get; } = metric;
    public int Rows { get; private set; }

    /// <summary>The first rows, read in place from a snapshot file (<see cref="Map"/>); the rest are on the heap.</summary>
    public int MappedCount => _mapped?.Count ?? 0;

    /// <summary>Bytes of float32 rows and norms on the heap (mapped rows not counted).</summary>
    public long HeapBytes => (((long)(Rows - MappedCount) * Dimensions) + Rows) * sizeof(float);

    public ReadOnlySpan<float> Row(int row) => row < MappedCount
        ? _mapped!.Row(row)
        : _values.AsSpan((row - MappedCount) * Dimensions, Dimensions);

    /// <summary>Rows that fit before <see cref="Append"/> must grow the arrays (replacing them under readers' feet).</summary>
    public int Capacity => Math.Min(Math.Min(_norms.Length, MappedCount + (_values.Length / Dimensions)), _codes?.Capacity ?? int.MaxValue);

    /// <summary>Grows the arrays to hold <paramref name="rows"/> rows (at least doubling them).</summary>
    public void Reserve(int rows)
    {
        if (rows > _norms.Length)
        {
            Array.Resize(ref _norms, Math.Max(rows, _norms.Length * 2));
        }
        var needed = (rows - MappedCount) * Dimensions;
        if (needed > _values.Length)
        {
            Array.Resize(ref _values, Math.Max(needed, _values.Length * 2));
        }
        _codes?.Reserve(rows);
    }

    /// <summary>Appends a vector (normalised for cosine) and returns its row.</summary>
    public int Append(ReadOnlySpan<float> vector)
    {
        Check(vector);
        var row = Rows;
        Reserve(row + 1);
        Rows++;
        Write(row, vector);
        return row;
    }

    /// <summary>
    /// Fills this empty space with <paramref name="count"/> rows read in place from <paramref name="path"/> at
    /// <paramref name="offset"/>, stored as they were (already normalised); norms and codes are computed from them.
    /// </summary>
    /// <exception cref="InvalidDataException">A stored value is NaN or infinity.</exception>
    public void Map(string path, long offset, int count)
    {
        System.Diagnostics.Debug.Assert(Rows == 0, "only an empty space maps rows");
        if (count == 0)
        {
            return;
        }
        (_mapped, _norms, _values, Rows) = (new MappedRows(path, offset, count, Dimensions), new float[count], new float[Dimensions * 1024], count);
        try
        {
            DeriveFromStoredRows();
        }
        catch
        {
            _mapped.Dispose();
            (_mapped, Rows) = (null, 0);
            throw;
        }
    }

    public void Dispose() => _mapped?.Dispose();

    /// <summary>Fills this empty space with rows stored as they were (already normalised): no copy per row, no validation but finiteness.</summary>
    /// <exception cref="InvalidDataException">A stored value is NaN or infinity.</exception>
    public void Load(float[] rows, int count)
    {
        if (count == 0)
        {
            return;
        }
        (_values, _norms, Rows) = (rows, new float[count], count);
        DeriveFromStoredRows();
    }

    /// <summary>Checks the rows a snapshot gave and computes their norms and codes.</summary>
    /// <exception cref="InvalidDataException">A stored value is NaN or infinity.</exception>
    private void DeriveFromStoredRows()
    {
        for (var row = 0; row < Rows; row++)
        {
            var stored = Row(row);
            if (!TensorPrimitives.IsFiniteAll(stored))
            {
                throw new InvalidDataException($"stored vector {row} holds NaN or infinity");
            }
            _norms[row] = TensorPrimitives.Dot(stored, stored);
            _codes?.Write(row, stored);
        }
    }

    /// <summary>Overwrites a row (not a mapped one: those are read-only).</summary>
    public void Write(int row, ReadOnlySpan<float> vector)
    {
        Check(vector);
        if (row < MappedCount)
        {
            throw new InvalidOperationException("a row read in place from a snapshot cannot be overwritten");
        }
        var target = _values.AsSpan((row - MappedCount) * Dimensions, Dimensions);
        vector.CopyTo(target);
        if (Metric == Metric.Cosine)
        {
            var norm = TensorPrimitives.Norm(target);
            if (norm > 0)
            {
                TensorPrimitives.Divide(target, norm, target);
            }
        }
        _norms[row] = TensorPrimitives.Dot(target, target);
        _codes?.Write(row, target);
    }

    /// <summary>Bytes a search reads per vector: int8 codes and scale when quantised, else the float32 row.</summary>
    public int SearchBytesPerVector => _codes?.BytesPerVector ?? (Dimensions * sizeof(float));

    /// <summary>Moves row <paramref name="from"/> to <paramref name="to"/> (compaction).</summary>
    public void Move(int from, int to)
    {
        Write(to, Row(from));
    }

    public void Truncate(int rows) => Rows = rows;

    /// <summary>
    /// The query as the kernel wants it: normalised for cosine, with its squared norm, and coded to int8 when
    /// <paramref name="coded"/> (distances then come from the codes; <see cref="Query.Exact"/> turns that off).
    /// </summary>
    public Query Prepare(ReadOnlySpan<float> query, bool coded = false)
    {
        Check(query);
        var copy = query.ToArray();
        if (Metric == Metric.Cosine)
        {
            var norm = TensorPrimitives.Norm(copy);
            if (norm > 0)
            {
                TensorPrimitives.Divide(copy, norm, copy);
            }
        }
        if (coded && _codes is not null)
        {
            return new Query(copy, TensorPrimitives.Dot(copy, copy), _codes.Prepare(copy));
        }
        return new Query(copy, TensorPrimitives.Dot(copy, copy));
    }

    public float Distance(int row, Query query) => query.Codes is { } codes
        ? FromDot(_codes!.Dot(row, codes), row, query.SquaredNorm)
        : FromDot(DotKernel.Dot(Row(row), query.Vector), row, query.SquaredNorm);

    public float Distance(int a, int b) => FromDot(DotKernel.Dot(Row(a), Row(b)), a, Metric == Metric.L2 ? _norms[b] : 0);

    /// <summary>Starts loading what <see cref="Distance(int, Query)"/> will read of a row, so a graph walk's cache misses overlap.</summary>
    public void Prefetch(int row, bool coded)
    {
        if (coded)
        {
            _codes!.Prefetch(row);
        }
        else
        {
            DotKernel.Prefetch(ref Unsafe.As<float, byte>(ref MemoryMarshal.GetReference(Row(row))), Dimensions * sizeof(float));
        }
    }

    /// <summary>
    /// The float32 distances of rows [<paramref name="first"/>, first + distances.Length) to the query, for exact
    /// scans: one inlined 8-lane FMA loop per row instead of a TensorPrimitives call per row (168 against 108 QPS on
    /// GloVe-100; unrolling four rows measured slower, 117 QPS, bench index). Not <see cref="DotKernel"/>: on this
    /// streaming scan its 16-lane, two-accumulator loop measured about half as fast (175 against 315 QPS, same runs).
    /// </summary>
    public void Distances(Query query, int first, Span<float> distances)
    {
        System.Diagnostics.Debug.Assert(_mapped is null, "exact scans run over heap rows only");
        for (var i = 0; i < distances.Length; i++)
        {
            distances[i] = FromDot(ScanDot(_values.AsSpan((first + i) * Dimensions, Dimensions), query.Vector), first + i, query.SquaredNorm);
        }
    }

    /// <summary>One row's distance as <see cref="Distances"/> computes it (to the last bit), for scans that score chosen rows.</summary>
    public float ScanDistance(int row, Query query)
    {
        System.Diagnostics.Debug.Assert(_mapped is null, "exact scans run over heap rows only");
        return FromDot(ScanDot(_values.AsSpan(row * Dimensions, Dimensions), query.Vector), row, query.SquaredNorm);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ScanDot(ReadOnlySpan<float> row, ReadOnlySpan<float> q)
    {
        var width = Vector256<float>.Count;
        var whole = Vector256.IsHardwareAccelerated ? row.Length / width * width : 0;
        var sum = 0f;
        if (whole > 0)
        {
            var acc = Vector256<float>.Zero;
            for (var d = 0; d < whole; d += width)
            {
                acc = Vector256.FusedMultiplyAdd(Vector256.Create(row.Slice(d, width)), Vector256.Create(q.Slice(d, width)), acc);
            }
            sum = Vector256.Sum(acc);
        }
        for (var d = whole; d < row.Length; d++)
        {
            sum += row[d] * q[d];
        }
        return sum;
    }

    /// <summary>The distance from a dot product; the row's norm is read only for L2 (a cache miss a graph walk need not pay).</summary>
    private float FromDot(float dot, int row, float otherNorm) => Metric switch
    {
        Metric.Cosine => 1 - dot,
        Metric.Dot => -dot,
        _ => Math.Max(0, _norms[row] + otherNorm - (2 * dot)),
    };

    private void Check(ReadOnlySpan<float> vector) => Validate(vector, Dimensions);

    /// <exception cref="ArgumentException">The vector has other dimensions, or NaN or infinity in it.</exception>
    public static void Validate(ReadOnlySpan<float> vector, int dimensions)
    {
        if (vector.Length != dimensions)
        {
            throw new ArgumentException($"the vector has {vector.Length} dimensions; this index holds {dimensions}", nameof(vector));
        }
        if (!TensorPrimitives.IsFiniteAll(vector))
        {
            throw new ArgumentException("the vector holds NaN or infinity", nameof(vector));
        }
    }

    /// <summary>A prepared query vector and its squared norm, with its int8 codes when searching on codes.</summary>
    internal readonly record struct Query(float[] Vector, float SquaredNorm, Int8Codes.Coded? Codes = null)
    {
        public Query Exact => this with { Codes = null };
    }
}
