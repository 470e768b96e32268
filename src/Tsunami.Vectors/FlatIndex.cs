namespace Tsunami.Vectors;

/// <summary>
/// Exact search: every vector is compared with the query. The oracle for the approximate index, and the right
/// choice below a few thousand vectors or over a small filtered set. Removal moves the last row into the hole.
/// Where the CPU has AVX-VNNI, scans first screen the rows on int8 codes and score on float32 only those that can
/// still be among the k nearest (<see cref="ScreeningCodes"/>): the same answers, a quarter of the bytes read.
/// </summary>
public sealed partial class FlatIndex : IVectorIndex
{
    private readonly VectorSpace _space;
    private readonly ScreeningCodes? _codes;
    private readonly Dictionary<long, int> _rows = [];
    private readonly List<long> _keys = [];
    private readonly ReaderWriterLockSlim _lock = new();
    private long _scored;

    /// <param name="dimensions">The vectors' length.</param>
    /// <param name="metric">How distances are measured.</param>
    /// <param name="screen">
    /// Screen rows on int8 codes before scoring them (where the CPU has AVX-VNNI; 0.3× more memory at 100-d);
    /// false scores every row on float32.
    /// </param>
    public FlatIndex(int dimensions, Metric metric, bool screen = true)
    {
        _space = new VectorSpace(dimensions, metric);
        _codes = screen && ScreeningCodes.IsSupported ? new ScreeningCodes(dimensions, metric) : null;
    }

    /// <summary>Bytes held by the vectors (float32 rows and norms, and the screening codes).</summary>
    public long MemoryBytes => _space.HeapBytes + (_codes?.Bytes ?? 0);

    /// <summary>Whether scans screen rows on int8 codes (asked for, and the CPU has AVX-VNNI).</summary>
    public bool Screens => _codes is not null;

    /// <summary>Rows scored on float32 by scans so far: shows how few rows the screening lets through.</summary>
    public long ScoredRows => Interlocked.Read(ref _scored);

    public int Dimensions => _space.Dimensions;
    public Metric Metric => _space.Metric;
    public int Count => _keys.Count;

    public void Add(long key, ReadOnlySpan<float> vector)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_rows.TryGetValue(key, out var row))
            {
                row = _space.Append(vector);
                _rows[key] = row;
                _keys.Add(key);
            }
            else
            {
                _space.Write(row, vector);
            }
            _codes?.Write(row, _space.Row(row));
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public bool Remove(long key)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_rows.Remove(key, out var row))
            {
                return false;
            }
            var last = _keys.Count - 1;
            if (row != last)
            {
                _space.Move(last, row);
                _codes?.Write(row, _space.Row(row));
                _keys[row] = _keys[last];
                _rows[_keys[row]] = row;
            }
            _keys.RemoveAt(last);
            _space.Truncate(last);
            _codes?.Truncate(last);
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public bool Contains(long key)
    {
        _lock.EnterReadLock();
        try
        {
            return _rows.ContainsKey(key);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public IReadOnlyList<(long Key, float[] Vector)> Entries()
    {
        _lock.EnterReadLock();
        try
        {
            return [.. _keys.Select((key, row) => (key, _space.Row(row).ToArray()))];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public IReadOnlyList<Neighbor> Search(ReadOnlySpan<float> query, int k, SearchOptions? options = null)
    {
        var prepared = _space.Prepare(query);
        var allowed = options?.Allowed;
        _lock.EnterReadLock();
        try
        {
            if (k <= 0)
            {
                return [];
            }
            if (allowed is not null && allowed.Count < _keys.Count / 4)
            {
                var top = new TopK(k);
                foreach (var key in allowed)
                {
                    if (_rows.TryGetValue(key, out var row))
                    {
                        top.Offer(row, _space.Distance(row, prepared));
                    }
                }
                return Answer(top);
            }
            // One core streams about 20 GB/s here, a scan of 130 MB takes 6 ms: large scans are split over the cores
            // (at block boundaries, which the screening codes need).
            var probe = _codes?.Prepare(prepared.Vector);
            var parts = _keys.Count >= ParallelScanRows ? Environment.ProcessorCount : 1;
            var blocks = (_keys.Count + ScreeningCodes.BlockRows - 1) / ScreeningCodes.BlockRows;
            if (parts == 1)
            {
                return Answer(Scan(prepared, probe, 0, blocks, k, allowed));
            }
            var tops = new TopK[parts];
            Parallel.For(0, parts, part => tops[part] = Scan(prepared, probe, blocks * part / parts, blocks * (part + 1) / parts, k, allowed));
            var merged = new TopK(k);
            foreach (var (row, distance) in tops.SelectMany(t => t.Drain()))
            {
                merged.Offer(row, distance);
            }
            return Answer(merged);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private const int ParallelScanRows = 65_536;

    /// <summary>The k nearest admitted rows of blocks [<paramref name="fromBlock"/>, <paramref name="toBlock"/>), screened first when there is a probe.</summary>
    private TopK Scan(VectorSpace.Query query, ScreeningCodes.Probe? probe, int fromBlock, int toBlock, int k, IReadOnlySet<long>? allowed)
    {
        if (probe is not null)
        {
            var screening = NewScreening(k, allowed);
            _codes!.Screen(probe, fromBlock, toBlock, _keys.Count, screening);
            return Score(screening, query, k);
        }
        var from = fromBlock * ScreeningCodes.BlockRows;
        var to = Math.Min(_keys.Count, toBlock * ScreeningCodes.BlockRows);
        var top = new TopK(k);
        Span<float> distances = stackalloc float[256];
        for (var first = from; first < to; first += distances.Length)
        {
            var block = distances[..Math.Min(distances.Length, to - first)];
            _space.Distances(query, first, block);
            // Rows come in ascending order: one tied with the bound would lose the tie to the row kept before it.
            for (var i = 0; i < block.Length; i++)
            {
                if (block[i] < top.Bound && (allowed is null || allowed.Contains(_keys[first + i])))
                {
                    top.Offer(first + i, block[i]);
                }
            }
        }
        Interlocked.Add(ref _scored, to - from);
        return top;
    }

    private Screening NewScreening(int k, IReadOnlySet<long>? allowed) =>
        new(k, allowed is null ? null : row => allowed.Contains(_keys[row]));

    /// <summary>The screening's survivors scored on float32 by the full scan's kernel.</summary>
    private TopK Score(Screening screening, VectorSpace.Query query, int k)
    {
        var top = new TopK(k);
        var scored = 0;
        foreach (var row in screening.Survivors())
        {
            top.Offer(row, _space.ScanDistance(row, query));
            scored++;
        }
        Interlocked.Add(ref _scored, scored);
        return top;
    }

    private List<Neighbor> Answer(TopK top) => top.Drain().Select(t => new Neighbor(_keys[t.Item], t.Distance)).ToList();
}
