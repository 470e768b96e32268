namespace Tsunami.Vectors;

/// <summary>
/// Exact search: every vector is compared with the query. The oracle for the approximate index, and the right
/// choice below a few thousand vectors or over a small filtered set. Removal moves the last row into the hole.
/// </summary>
public sealed class FlatIndex(int dimensions, Metric metric) : IVectorIndex
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
            var top = new TopK(Math.Max(1, k));
            if (allowed is not null && allowed.Count < _keys.Count / 4)
            {
                foreach (var key in allowed)
                {
                    if (_rows.TryGetValue(key, out var row))
                    {
                        top.Offer(row, _space.Distance(row, prepared));
                    }
                }
            }
            else
            {
                Span<float> distances = stackalloc float[256];
                for (var first = 0; first < _keys.Count; first += distances.Length)
                {
                    var block = distances[..Math.Min(distances.Length, _keys.Count - first)];
                    _space.Distances(prepared, first, block);
                    for (var i = 0; i < block.Length; i++)
                    {
                        if (block[i] < top.Bound && (allowed is null || allowed.Contains(_keys[first + i])))
                        {
                            top.Offer(first + i, block[i]);
                        }
                    }
                }
            }
            return k <= 0 ? [] : top.Drain().Select(t => new Neighbor(_keys[t.Item], t.Distance)).ToList();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }
}
