using System.Collections.Concurrent;

namespace Tsunami.Vectors;

/// <summary>
/// Hierarchical navigable small-world graph. Layer 0 links live in one flat array (stride 2M + 1: count, then
/// links) so a search walks memory in order; upper layers, which few nodes reach, in small arrays per node.
/// Neighbours are chosen with the paper's heuristic (a candidate closer to an already chosen neighbour than to
/// the node is skipped). A removed key is a tombstone: still walked through, never returned; an upsert removes and
/// re-inserts. Filtered search admits only allowed keys to the results while walking the whole graph (so it walks
/// further the more the filter excludes), and compares exactly when the allowed set is small (as Qdrant does).
/// Inserts and searches run concurrently (hnswlib's scheme): under the read lock, an insert appends its vector and
/// draws its level under a short append lock, then links itself, each node's links rewritten under a striped lock;
/// searches read links without locking (a list being rewritten holds valid nodes, old or new). Growing the arrays,
/// removal, compaction and snapshots take the write lock.
/// </summary>
public sealed partial class HnswIndex : IVectorIndex, IDisposable
{
    private VectorSpace _space;
    private readonly HnswOptions _options;
    private readonly int _m0;
    private readonly double _levelMultiplier;
    private Random _random;
    private ConcurrentDictionary<long, int> _nodes = [];
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly ThreadLocal<Scratch> _scratch = new(() => new Scratch());
    private int[] _layer0;
    private int[][]?[] _upper;
    private int[] _levels;
    private long[] _keys;
    private bool[] _removed;
    private readonly Lock _appendLock = new();
    private readonly Lock _entryLock = new();
    private readonly Lock[] _linkLocks = [.. Enumerable.Range(0, 1024).Select(_ => new Lock())];
    private EntryPoint? _entryPoint;
    private int _compacting;
    private bool _disposed;
    private int _live;
    private long _distanceComputations;

    public HnswIndex(int dimensions, Metric metric, HnswOptions? options = null)
    {
        _options = options ?? new HnswOptions();
        if (_options.M < 2 || _options.EfConstruction < 1)
        {
            throw new ArgumentException($"HNSW needs M ≥ 2 and ef_construction ≥ 1 (got M={_options.M}, ef_construction={_options.EfConstruction})");
        }
        _space = new VectorSpace(dimensions, metric, _options.Int8);
        _m0 = 2 * _options.M;
        _levelMultiplier = 1 / Math.Log(_options.M);
        _random = new Random(_options.Seed);
        const int capacity = 1024;
        _layer0 = new int[capacity * (_m0 + 1)];
        _upper = new int[capacity][][];
        _levels = new int[capacity];
        _keys = new long[capacity];
        _removed = new bool[capacity];
    }

    public int Dimensions => _space.Dimensions;
    public Metric Metric => _space.Metric;
    public int Count => _live;

    /// <summary>Distances computed so far, by inserts and searches: shows how little of the data a search touches.</summary>
    public long DistanceComputations => Interlocked.Read(ref _distanceComputations);

    /// <summary>Bytes a search reads per vector (int8 codes and scale, or float32).</summary>
    public int SearchBytesPerVector => _space.SearchBytesPerVector;

    public HnswOptions Options => _options;

    /// <summary>Bytes held by vectors and links (not the key dictionary).</summary>
    public long MemoryBytes
    {
        get
        {
            var nodes = _space.Rows;
            long upper = 0;
            for (var node = 0; node < nodes; node++)
            {
                upper += _upper[node]?.Sum(l => l?.Length ?? 0) ?? 0;
            }
            var codes = _options.Int8 ? (long)nodes * _space.SearchBytesPerVector : 0;
            return _space.HeapBytes + codes + ((long)nodes * (_m0 + 1) * sizeof(int)) + (upper * sizeof(int));
        }
    }

    /// <summary>
    /// Releases the snapshot file an int8 index reads its float32 rows from (see <see cref="HnswOptions.FloatsOnDisk"/>);
    /// from then on whatever would read a row (add, search, entries, compaction, snapshot) throws instead.
    /// </summary>
    public void Dispose()
    {
        _lock.EnterWriteLock();
        try
        {
            _space.Dispose();
            _disposed = true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public void Add(long key, ReadOnlySpan<float> vector)
    {
        while (true)
        {
            _lock.EnterReadLock();
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (TryAppend(key, vector) is { } node)
                {
                    WhileLinking?.Invoke();
                    Insert(node);
                    return;
                }
            }
            finally
            {
                _lock.ExitReadLock();
            }
            _lock.EnterWriteLock();
            try
            {
                Grow(_space.Rows + 1);
                _space.Reserve(_space.Rows + 1);
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
    }

    /// <summary>
    /// Appends the vector, draws its level and gives it the key (an upsert's old node becomes a tombstone), or
    /// returns null when an array is full: growing replaces the arrays links are written into, which only the
    /// write lock may do, while appending into room already there runs beside other inserts' linking.
    /// </summary>
    private int? TryAppend(long key, ReadOnlySpan<float> vector)
    {
        lock (_appendLock)
        {
            var node = _space.Rows;
            if (node >= _keys.Length || node >= _space.Capacity)
            {
                return null;
            }
            _space.Append(vector); // validates first: a bad vector changes nothing
            _keys[node] = key;
            var level = (int)(-Math.Log(1 - _random.NextDouble()) * _levelMultiplier);
            _levels[node] = level;
            _upper[node] = level == 0 ? null : Enumerable.Range(0, level).Select(_ => new int[_options.M + 1]).ToArray();
            if (_nodes.TryGetValue(key, out var old))
            {
                _removed[old] = true;
                _live--;
            }
            _nodes[key] = node;
            _live++;
            return node;
        }
    }

    /// <summary>
    /// Adds many vectors on <see cref="HnswOptions.BuildThreads"/> threads (inserts run concurrently). The graph then
    /// depends on the threads' interleaving, so it is not repeatable the way one-by-one adds with a seed are. A key
    /// given more than once keeps its last vector, as adding one by one (and replaying a log) would: the earlier
    /// ones are dropped first, since concurrent inserts would apply them in any order.
    /// </summary>
    public void AddRange(IReadOnlyList<(long Key, float[] Vector)> items)
    {
        var last = new Dictionary<long, int>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            last[items[i].Key] = i;
        }
        var kept = last.Count == items.Count ? items : [.. items.Where((item, i) => last[item.Key] == i)];
        Parallel.For(0, kept.Count, new ParallelOptions { MaxDegreeOfParallelism = _options.BuildThreads }, i => Add(kept[i].Key, kept[i].Vector));
    }

    public bool Remove(long key)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_nodes.TryRemove(key, out var node))
            {
                return false;
            }
            _removed[node] = true;
            _live--;
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Vectors removed or replaced whose nodes still sit in the graph, routing searches but never returned.</summary>
    public int Tombstones
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                lock (_appendLock) // an append in flight has its row and not yet its key
                {
                    return _space.Rows - _live;
                }
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Whether tombstones have reached <see cref="HnswOptions.CompactAboveTombstones"/> of the nodes, so <see cref="Compact"/> pays.</summary>
    public bool NeedsCompaction => Tombstones is > 0 and var tombstones && tombstones >= _options.CompactAboveTombstones * (Count + tombstones);

    public bool Contains(long key)
    {
        _lock.EnterReadLock();
        try
        {
            return _nodes.ContainsKey(key);
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
            ObjectDisposedException.ThrowIf(_disposed, this);
            return [.. _nodes.OrderBy(n => n.Value).Select(n => (n.Key, _space.Row(n.Value).ToArray()))];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Called by a compaction between its rebuild and its swap (tests that the index serves meanwhile).</summary>
    internal Action? WhileCompacting { get; set; }

    /// <summary>
    /// Called by a search as it starts walking layer 0, under the read lock (tests of inserts linked while it walks:
    /// they must fit in the arrays, as growing them needs the write lock).
    /// </summary>
    internal Action? WhileSearching { get; set; }

    /// <summary>Called by an insert before it writes its node's links on a layer (tests of inserts meeting a node half linked).</summary>
    internal Action<int, int>? BeforeSetLinks { get; set; }

    /// <summary>A node's top layer (tests).</summary>
    internal int LevelOf(int node) => _levels[node];

    /// <summary>Called by an insert as it starts linking its node (tests that searches do not wait for it).</summary>
    internal Action? WhileLinking { get; set; }

    /// <summary>The entry point's node number (tests of the snapshot's numbering).</summary>
    internal int? EntryNode => _entryPoint?.Node;

    /// <summary>A node's layer-0 links (tests of the snapshot's numbering).</summary>
    internal ReadOnlySpan<int> LinksOf(int node) => Links(node, 0);

    private void Grow(int nodes)
    {
        if (nodes <= _keys.Length)
        {
            return;
        }
        var capacity = Math.Max(nodes, _keys.Length * 2);
        Array.Resize(ref _layer0, capacity * (_m0 + 1));
        Array.Resize(ref _upper, capacity);
        Array.Resize(ref _levels, capacity);
        Array.Resize(ref _keys, capacity);
        Array.Resize(ref _removed, capacity);
    }

    /// <summary>Where searches start: the node on the top layer. Replaced whole, so readers never see a node with another node's top.</summary>
    private sealed record EntryPoint(int Node, int Top);

    private struct Counter
    {
        public long Value;
    }
}
