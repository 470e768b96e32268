namespace Tsunami.Vectors;

public sealed partial class HnswIndex
{
    /// <summary>
    /// Rebuilds the graph from the live vectors alone, as Qdrant's vacuum does: tombstones stop costing memory and
    /// search time, and the links they held go to live neighbours. The rebuild runs beside the index (on
    /// <see cref="HnswOptions.BuildThreads"/>) from a copy of the live vectors, so searches, inserts and removals go on
    /// meanwhile; only the swap takes the write lock, and it first brings the new graph in step with what changed
    /// since the copy (vectors added or replaced are added, keys removed are removed). One compaction at a time.
    /// </summary>
    /// <returns>The tombstones dropped (0 when another compaction is running).</returns>
    public int Compact()
    {
        if (Interlocked.Exchange(ref _compacting, 1) == 1)
        {
            return 0;
        }
        try
        {
            List<(long Key, float[] Vector)> live;
            int rows, dropped;
            _lock.EnterReadLock();
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                lock (_appendLock)
                {
                    (rows, dropped) = (_space.Rows, _space.Rows - _live);
                }
                if (dropped == 0)
                {
                    return 0;
                }
                live = [.. Enumerable.Range(0, rows).Where(node => !_removed[node]).Select(node => (_keys[node], _space.Row(node).ToArray()))];
            }
            finally
            {
                _lock.ExitReadLock();
            }
            var fresh = new HnswIndex(Dimensions, Metric, _options);
            fresh.AddRange(live);
            WhileCompacting?.Invoke();
            _lock.EnterWriteLock();
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                foreach (var (key, _) in live)
                {
                    if (!_nodes.ContainsKey(key))
                    {
                        fresh.Remove(key);
                    }
                }
                for (var node = rows; node < _space.Rows; node++)
                {
                    if (!_removed[node])
                    {
                        fresh.Add(_keys[node], _space.Row(node));
                    }
                }
                _space.Dispose();
                (_space, _nodes, _random) = (fresh._space, fresh._nodes, fresh._random);
                (_layer0, _upper, _levels, _keys, _removed) = (fresh._layer0, fresh._upper, fresh._levels, fresh._keys, fresh._removed);
                (_entryPoint, _live) = (fresh._entryPoint, fresh._live);
                return dropped;
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
        finally
        {
            Volatile.Write(ref _compacting, 0);
        }
    }
}
