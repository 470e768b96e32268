namespace Tsunami.Vectors;

/// <summary>
/// Exact search: every vector is compared with the query. The oracle for the approximate index, and the right
/// choice below a few thousand vectors or over a small filtered set. Removal moves the last row into the hole.
/// </summary>
public sealed partial class FlatIndex(int dimensions, Metric metric) : IVectorIndex
{
    private readonly VectorSpace _space = new(dimensions, metric);
    private readonly Dictionary<long, int> _rows = [];
    private readonly List<long> _keys = [];
    private readonly ReaderWriterLockSlim _lock = new();

    public int Dimensions => _space.Dimensions;
    public Metric Metric => _space.Metric;
    public int Count => _keys.Count;

    public void Add(long key, ReadOnlySpan<float> vector)
    {
        _lock.EnterWriteLock();
        try
        {
            if (_rows.TryGetValue(key, out var row))
            {
                _space.Write(row, vector);
                return;
            }
            _rows[key] = _space.Append(vector);
            _keys.Add(key);
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
                _keys[row] = _keys[last];
                _rows[_keys[row]] = row;
            }
            _keys.RemoveAt(last);
            _space.Truncate(last);
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
            // One core streams about 20 GB/s here, a scan of 130 MB takes 6 ms: large scans are split over the cores.
            var parts = _keys.Count >= ParallelScanRows ? Environment.ProcessorCount : 1;
            if (parts == 1)
            {
                return Answer(Scan(prepared, 0, _keys.Count, k, allowed));
            }
            var tops = new TopK[parts];
            Parallel.For(0, parts, part => tops[part] = Scan(prepared, _keys.Count * part / parts, _keys.Count * (part + 1) / parts, k, allowed));
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

    private TopK Scan(VectorSpace.Query query, int from, int to, int k, IReadOnlySet<long>? allowed)
    {
        var top = new TopK(k);
        Span<float> distances = stackalloc float[256];
        for (var first = from; first < to; first += distances.Length)
        {
            var block = distances[..Math.Min(distances.Length, to - first)];
            _space.Distances(query, first, block);
            for (var i = 0; i < block.Length; i++)
            {
                if (block[i] < top.Bound && (allowed is null || allowed.Contains(_keys[first + i])))
                {
                    top.Offer(first + i, block[i]);
                }
            }
        }
        return top;
    }

    private List<Neighbor> Answer(TopK top) => top.Drain().Select(t => new Neighbor(_keys[t.Item], t.Distance)).ToList();
}
