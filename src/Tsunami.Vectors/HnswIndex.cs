using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
public sealed class HnswIndex : IVectorIndex, IDisposable
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

    public IReadOnlyList<Neighbor> Search(ReadOnlySpan<float> query, int k, SearchOptions? options = null)
    {
        options ??= SearchOptions.Default;
        var prepared = _space.Prepare(query, coded: _options.Int8);
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (k <= 0 || _live == 0)
            {
                return [];
            }
            var allowed = options.Allowed;
            var selectivity = allowed is null ? 1.0 : (double)allowed.Count / _live;
            if (allowed is not null && selectivity < _options.ExactBelowSelectivity)
            {
                return Exact(prepared.Exact, k, allowed);
            }
            if (_entryPoint is not { } start)
            {
                return []; // the first vector is still being linked
            }
            var counter = new Counter();
            var entry = Descend(prepared, start, 1, ref counter);
            // ef counts admitted nodes only, so a filtered search walks about ef / selectivity nodes by itself.
            var ef = Math.Max(_options.Int8 ? k * _options.Oversampling : k, options.Ef);
            var found = SearchLayer(prepared, [entry], ef, 0, liveOnly: true, allowed, ref counter);
            if (prepared.Codes is not null)
            {
                found = Rescore(found, k * _options.Oversampling, prepared.Exact);
            }
            Interlocked.Add(ref _distanceComputations, counter.Value);
            // An upsert during the walk may have made a found node a tombstone after the walk last checked (the
            // answer may then hold fewer than k: the key's new node was linked too late for this walk).
            return found.Where(f => !_removed[f.Node]).Take(k).Select(f => new Neighbor(_keys[f.Node], f.Distance)).ToList();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>The best candidates' distances again on float32 (their rows requested together first), nearest first.</summary>
    private List<(int Node, float Distance)> Rescore(List<(int Node, float Distance)> found, int count, VectorSpace.Query exact)
    {
        var best = found.GetRange(0, Math.Min(count, found.Count));
        foreach (var (node, _) in best)
        {
            _space.Prefetch(node, coded: false);
        }
        for (var i = 0; i < best.Count; i++)
        {
            best[i] = (best[i].Node, _space.Distance(best[i].Node, exact));
        }
        best.Sort((a, b) => a.Distance.CompareTo(b.Distance));
        return best;
    }

    public IReadOnlyList<IReadOnlyList<Neighbor>> SearchBatch(IReadOnlyList<float[]> queries, int k, SearchOptions? options = null)
    {
        var answers = new IReadOnlyList<Neighbor>[queries.Count];
        Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => answers[i] = Search(queries[i], k, options));
        return answers;
    }

    private List<Neighbor> Exact(VectorSpace.Query query, int k, IReadOnlySet<long> allowed)
    {
        var top = new TopK(k);
        foreach (var key in allowed)
        {
            if (_nodes.TryGetValue(key, out var node))
            {
                top.Offer(node, _space.Distance(node, query));
            }
        }
        Interlocked.Add(ref _distanceComputations, allowed.Count);
        return top.Drain().Select(t => new Neighbor(_keys[t.Item], t.Distance)).ToList();
    }

    private void Insert(int node)
    {
        var level = _levels[node];
        var start = _entryPoint;
        if (start is null || level > start.Top)
        {
            // A node that becomes the new entry point links itself alone, as hnswlib's global lock does.
            lock (_entryLock)
            {
                start = _entryPoint;
                if (start is null || level > start.Top)
                {
                    if (start is not null)
                    {
                        Link(node, level, start);
                    }
                    _entryPoint = new EntryPoint(node, level);
                    return;
                }
            }
        }
        Link(node, level, start);
    }

    /// <summary>The paper's INSERT for a node whose level is at most the entry point's.</summary>
    private void Link(int node, int level, EntryPoint start)
    {
        var query = new VectorSpace.Query(_space.Row(node).ToArray(), SquaredNorm(node));
        var counter = new Counter();
        var entry = Descend(query, start, level + 1, ref counter);
        List<(int Node, float Distance)> entries = [(entry, _space.Distance(entry, query))];
        for (var layer = Math.Min(level, start.Top); layer >= 0; layer--)
        {
            var found = SearchLayer(query, entries.Select(e => e.Node).ToList(), _options.EfConstruction, layer, liveOnly: false, null, ref counter);
            found.RemoveAll(f => f.Node == node); // reached through its own links above, made a moment ago
            var chosen = SelectNeighbours(found, _options.M, ref counter);
            BeforeSetLinks?.Invoke(node, layer);
            SetLinks(node, layer, chosen, ref counter);
            foreach (var (neighbour, distance) in chosen)
            {
                Link(neighbour, node, distance, layer, ref counter);
            }
            entries = found;
        }
        Interlocked.Add(ref _distanceComputations, counter.Value);
    }

    private float SquaredNorm(int node)
    {
        var row = _space.Row(node);
        return System.Numerics.Tensors.TensorPrimitives.Dot(row, row);
    }

    /// <summary>Greedy walk from the entry point down to <paramref name="lowest"/>, one closest node per layer.</summary>
    private int Descend(VectorSpace.Query query, EntryPoint start, int lowest, ref Counter counter)
    {
        var current = start.Node;
        var distance = _space.Distance(current, query);
        counter.Value++;
        for (var layer = start.Top; layer >= lowest; layer--)
        {
            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var neighbour in WalkLinks(current, layer))
                {
                    var d = _space.Distance(neighbour, query);
                    counter.Value++;
                    if (d < distance)
                    {
                        (current, distance, changed) = (neighbour, d, true);
                    }
                }
            }
        }
        return current;
    }

    /// <summary>
    /// The paper's SEARCH-LAYER: best-first from the entries, keeping the ef closest nodes that may be returned
    /// (live ones, allowed ones, when asked) while walking through all.
    /// </summary>
    private List<(int Node, float Distance)> SearchLayer(
        VectorSpace.Query query, List<int> entries, int ef, int layer, bool liveOnly, IReadOnlySet<long>? allowed, ref Counter counter)
    {
        var scratch = _scratch.Value!;
        var visited = scratch.Visited;
        var candidates = scratch.Candidates;
        var results = scratch.Results;
        visited.Reset(_space.Rows);
        var fresh = scratch.Fresh(_m0);
        var coded = query.Codes is not null;
        candidates.Clear();
        results.Clear();
        var skipRemoved = liveOnly && _live != _space.Rows; // without tombstones, no lookup per candidate
        if (liveOnly)
        {
            WhileSearching?.Invoke();
        }
        bool Admitted(int node) => (!skipRemoved || !_removed[node]) && (allowed is null || allowed.Contains(_keys[node]));
        void Offer(int node, float distance)
        {
            if (results.Count < ef)
            {
                results.Push(node, distance);
            }
            else if (distance < results.TopDistance)
            {
                results.ReplaceTop(node, distance);
            }
        }
        foreach (var entry in entries)
        {
            var d = _space.Distance(entry, query);
            counter.Value++;
            visited.Add(entry);
            candidates.Push(entry, d);
            if (Admitted(entry))
            {
                Offer(entry, d);
            }
        }
        while (candidates.Count > 0)
        {
            var (current, distance) = candidates.Pop();
            if (results.Count == ef && distance > results.TopDistance)
            {
                break;
            }
            // The unvisited neighbours' rows are requested together before any is read, so their cache misses overlap.
            var count = 0;
            foreach (var neighbour in WalkLinks(current, layer))
            {
                if (visited.Add(neighbour))
                {
                    fresh[count++] = neighbour;
                    _space.Prefetch(neighbour, coded);
                }
            }
            foreach (var neighbour in fresh[..count])
            {
                var d = _space.Distance(neighbour, query);
                counter.Value++;
                if (results.Count < ef || d < results.TopDistance)
                {
                    if (layer == 0)
                    {
                        // A candidate may be expanded soon: its links start loading now, not when it is popped.
                        PrefetchLinks(neighbour);
                    }
                    candidates.Push(neighbour, d);
                    if (Admitted(neighbour))
                    {
                        Offer(neighbour, d);
                    }
                }
            }
        }
        var found = new List<(int Node, float Distance)>(results.Count);
        while (results.Count > 0)
        {
            found.Add(results.Pop());
        }
        found.Reverse();
        return found;
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

    private void PrefetchLinks(int node) => DotKernel.Prefetch(ref Unsafe.As<int, byte>(ref _layer0[node * (_m0 + 1)]), (_m0 + 1) * sizeof(int));

    /// <summary>The heuristic: nearest first, skipping a candidate nearer to a chosen neighbour than to the base.</summary>
    private List<(int Node, float Distance)> SelectNeighbours(List<(int Node, float Distance)> candidates, int m, ref Counter counter)
    {
        if (candidates.Count <= m)
        {
            return candidates;
        }
        var chosen = new List<(int Node, float Distance)>(m);
        foreach (var candidate in candidates.OrderBy(c => c.Distance))
        {
            var keep = true;
            foreach (var (node, _) in chosen)
            {
                counter.Value++;
                if (_space.Distance(candidate.Node, node) < candidate.Distance)
                {
                    keep = false;
                    break;
                }
            }
            if (keep)
            {
                chosen.Add(candidate);
                if (chosen.Count == m)
                {
                    break;
                }
            }
        }
        return chosen;
    }

    /// <summary>Adds <paramref name="node"/> to <paramref name="neighbour"/>'s links, pruning them when full.</summary>
    private void Link(int neighbour, int node, float distance, int layer, ref Counter counter)
    {
        lock (LinkLock(neighbour))
        {
            AddLink(neighbour, node, distance, layer, ref counter);
        }
    }

    private void AddLink(int neighbour, int node, float distance, int layer, ref Counter counter)
    {
        var links = LinkArray(neighbour, layer, out var offset);
        var capacity = layer == 0 ? _m0 : _options.M;
        var count = links[offset];
        if (count < capacity)
        {
            links[offset + 1 + count] = node;
            links[offset] = count + 1;
            return;
        }
        var candidates = new List<(int Node, float Distance)>(capacity + 1) { (node, distance) };
        for (var i = 0; i < count; i++)
        {
            var other = links[offset + 1 + i];
            candidates.Add((other, _space.Distance(neighbour, other)));
            counter.Value++;
        }
        WriteLinks(neighbour, layer, SelectNeighbours(candidates, capacity, ref counter).Select(c => c.Node));
    }

    private Lock LinkLock(int node) => _linkLocks[node & (_linkLocks.Length - 1)];

    /// <summary>
    /// Gives a new node its links on a layer. Other inserts may have linked to it there already: having reached it on
    /// a layer above, they took it as their way in below, where its list was still empty. Those links are kept
    /// (pruned with the rest when too many), or the nodes that made them could be left with no way in.
    /// </summary>
    private void SetLinks(int node, int layer, List<(int Node, float Distance)> chosen, ref Counter counter)
    {
        lock (LinkLock(node))
        {
            var earlier = Links(node, layer);
            if (earlier.IsEmpty)
            {
                WriteLinks(node, layer, chosen.Select(c => c.Node));
                return;
            }
            var candidates = new List<(int Node, float Distance)>(chosen);
            foreach (var other in earlier)
            {
                if (!chosen.Exists(c => c.Node == other))
                {
                    candidates.Add((other, _space.Distance(node, other)));
                    counter.Value++;
                }
            }
            var capacity = layer == 0 ? _m0 : _options.M;
            WriteLinks(node, layer, (candidates.Count <= capacity ? candidates : SelectNeighbours(candidates, capacity, ref counter)).Select(c => c.Node));
        }
    }

    /// <summary>Writes the links, then their count: a search reading them meanwhile sees only valid nodes.</summary>
    private void WriteLinks(int node, int layer, IEnumerable<int> neighbours)
    {
        var links = LinkArray(node, layer, out var offset);
        var count = 0;
        foreach (var neighbour in neighbours)
        {
            links[offset + 1 + count++] = neighbour;
        }
        links[offset] = count;
    }

    /// <summary>
    /// A node's links on a layer to walk on; for a node still being linked (its list there still empty, while it
    /// has links higher up), those of the nearest layer above, which lead to its neighbourhood: an insert that
    /// reached it from above and took it as its way in must not find it a dead end.
    /// </summary>
    private ReadOnlySpan<int> WalkLinks(int node, int layer)
    {
        var links = Links(node, layer);
        for (var above = layer + 1; links.IsEmpty && above <= _levels[node]; above++)
        {
            links = Links(node, above);
        }
        return links;
    }

    private ReadOnlySpan<int> Links(int node, int layer)
    {
        var links = LinkArray(node, layer, out var offset);
        return links.AsSpan(offset + 1, links[offset]);
    }

    private int[] LinkArray(int node, int layer, out int offset)
    {
        if (layer == 0)
        {
            offset = node * (_m0 + 1);
            return _layer0;
        }
        offset = 0;
        return _upper[node]![layer - 1];
    }

    /// <summary>
    /// Writes the whole graph so it opens without a rebuild, column by column (keys, tombstones, levels, vectors,
    /// layer-0 links, then the upper layers' links) so that opening reads each column in one block. Nodes are
    /// written in <see cref="TraversalOrder"/>, renumbered, so the opened graph has neighbours near each other in
    /// memory. Under the write lock: inserts link under the read lock, and a snapshot must not catch a graph half linked.
    /// </summary>
    internal void Save(BinaryWriter writer)
    {
        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var nodes = _space.Rows;
            var order = TraversalOrder(nodes);
            var position = new int[nodes];
            for (var i = 0; i < nodes; i++)
            {
                position[order[i]] = i;
            }
            writer.Write(_options.M);
            writer.Write(nodes);
            writer.Write(_entryPoint is { } entry ? position[entry.Node] : -1);
            writer.Write(_entryPoint?.Top ?? -1);
            writer.Write(MemoryMarshal.AsBytes(order.Select(node => _keys[node]).ToArray().AsSpan()));
            writer.Write(MemoryMarshal.AsBytes(order.Select(node => _removed[node]).ToArray().AsSpan()));
            writer.Write(MemoryMarshal.AsBytes(order.Select(node => _levels[node]).ToArray().AsSpan()));
            foreach (var node in order)
            {
                writer.Write(MemoryMarshal.AsBytes(_space.Row(node)));
            }
            var row = new int[_m0 + 1];
            foreach (var node in order)
            {
                Renumber(Links(node, 0), position, row);
                writer.Write(MemoryMarshal.AsBytes(row.AsSpan()));
            }
            foreach (var node in order)
            {
                for (var layer = 1; layer <= _levels[node]; layer++)
                {
                    var links = Links(node, layer);
                    Renumber(links, position, row);
                    writer.Write(MemoryMarshal.AsBytes(row.AsSpan(0, links.Length + 1)));
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Breadth-first over layer 0 from the entry point (then from each node the walk missed): a node's neighbours
    /// get nearby numbers, so a search's hops land on rows and links close in memory (graph reordering, as in Coleman et
    /// al. 2022, "Graph reordering for cache-efficient near neighbor search"; hnswlib keeps the insertion order).
    /// </summary>
    private int[] TraversalOrder(int nodes)
    {
        var order = new int[nodes];
        var placed = new bool[nodes];
        var count = 0;
        void Walk(int from)
        {
            var next = count;
            placed[from] = true;
            order[count++] = from;
            while (next < count)
            {
                foreach (var neighbour in Links(order[next++], 0))
                {
                    if (!placed[neighbour])
                    {
                        placed[neighbour] = true;
                        order[count++] = neighbour;
                    }
                }
            }
        }
        if (_entryPoint is { } entry)
        {
            Walk(entry.Node);
        }
        for (var node = 0; node < nodes; node++)
        {
            if (!placed[node])
            {
                Walk(node);
            }
        }
        return order;
    }

    /// <summary>Fills <paramref name="row"/> with a node's links as a snapshot stores them: the count, then the neighbours' new numbers.</summary>
    private static void Renumber(ReadOnlySpan<int> links, int[] position, int[] row)
    {
        Array.Clear(row);
        row[0] = links.Length;
        for (var i = 0; i < links.Length; i++)
        {
            row[i + 1] = position[links[i]];
        }
    }

    /// <summary>Loads a graph written by <see cref="Save"/> into this empty index.</summary>
    /// <exception cref="InvalidDataException">The graph was built with another M, this index is not empty, or the graph does not hold together.</exception>
    internal void Load(BinaryReader reader)
    {
        _lock.EnterWriteLock();
        try
        {
            var m = reader.ReadInt32();
            if (m != _options.M || _space.Rows != 0)
            {
                throw new InvalidDataException($"the stored graph has M = {m}; this index has M = {_options.M} and {_space.Rows} vectors");
            }
            var nodes = reader.ReadInt32();
            var (entry, top) = (reader.ReadInt32(), reader.ReadInt32());
            var bytesPerNode = sizeof(long) + sizeof(bool) + sizeof(int) + ((_space.Dimensions + _m0 + 1L) * sizeof(float));
            if (nodes < 0 || nodes * bytesPerNode > reader.BaseStream.Length - reader.BaseStream.Position || entry >= nodes || (nodes > 0 && entry < 0))
            {
                throw new InvalidDataException($"the stored graph claims {nodes} nodes (entry {entry}), more than its file holds");
            }
            _entryPoint = nodes > 0 ? new EntryPoint(entry, top) : null;
            Grow(nodes);
            ReadExactly(reader, MemoryMarshal.AsBytes(_keys.AsSpan(0, nodes)));
            ReadExactly(reader, MemoryMarshal.AsBytes(_removed.AsSpan(0, nodes)));
            ReadExactly(reader, MemoryMarshal.AsBytes(_levels.AsSpan(0, nodes)));
            if (_options.Int8 && _options.FloatsOnDisk && reader.BaseStream is FileStream { CanSeek: true } file)
            {
                _space.Map(file.Name, file.Position, nodes);
                file.Seek((long)nodes * _space.Dimensions * sizeof(float), SeekOrigin.Current);
            }
            else
            {
                var vectors = new float[nodes * _space.Dimensions];
                ReadExactly(reader, MemoryMarshal.AsBytes(vectors.AsSpan()));
                _space.Load(vectors, nodes);
            }
            ReadExactly(reader, MemoryMarshal.AsBytes(_layer0.AsSpan(0, nodes * (_m0 + 1))));
            for (var node = 0; node < nodes; node++)
            {
                var level = _levels[node];
                if (level < 0 || level > top || !CheckLinks(_layer0.AsSpan(node * (_m0 + 1), _m0 + 1), _m0, nodes))
                {
                    throw new InvalidDataException($"the stored graph's node {node} has level {level} or links outside the graph");
                }
                _upper[node] = level == 0 ? null : Enumerable.Range(0, level).Select(_ => new int[_options.M + 1]).ToArray();
                for (var layer = 1; layer <= level; layer++)
                {
                    var links = _upper[node]![layer - 1];
                    links[0] = reader.ReadInt32();
                    if (links[0] < 0 || links[0] > _options.M)
                    {
                        throw new InvalidDataException($"the stored graph's node {node} has {links[0]} links on layer {layer}");
                    }
                    ReadExactly(reader, MemoryMarshal.AsBytes(links.AsSpan(1, links[0])));
                    if (!CheckLinks(links, _options.M, nodes))
                    {
                        throw new InvalidDataException($"the stored graph's node {node} links outside the graph on layer {layer}");
                    }
                }
                if (!_removed[node])
                {
                    _nodes[_keys[node]] = node;
                    _live++;
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private static bool CheckLinks(ReadOnlySpan<int> links, int capacity, int nodes)
    {
        if (links[0] < 0 || links[0] > capacity)
        {
            return false;
        }
        foreach (var link in links.Slice(1, links[0]))
        {
            if ((uint)link >= (uint)nodes)
            {
                return false;
            }
        }
        return true;
    }

    // BinaryReader reads no further ahead than asked, so its stream can be read past it directly.
    private static void ReadExactly(BinaryReader reader, Span<byte> target) => reader.BaseStream.ReadExactly(target);

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

    /// <summary>One thread's search state, reused from search to search.</summary>
    private sealed class Scratch
    {
        public VisitedSet Visited { get; } = new();
        public DistanceHeap Candidates { get; } = new(256, largestFirst: false);
        public DistanceHeap Results { get; } = new(256, largestFirst: true);

        private int[] _fresh = [];

        /// <summary>Room for one node's unvisited neighbours.</summary>
        public Span<int> Fresh(int links)
        {
            if (_fresh.Length < links)
            {
                _fresh = new int[links];
            }
            return _fresh;
        }
    }

    /// <summary>
    /// Marks visited nodes with a stamp per search, so nothing is cleared between searches (but every 255th). One
    /// byte a node keeps the marks of 330K nodes in a core's L2 cache, where int stamps spill to memory.
    /// </summary>
    private sealed class VisitedSet
    {
        private byte[] _stamps = [];
        private byte _stamp;

        public void Reset(int nodes)
        {
            if (_stamps.Length < nodes)
            {
                _stamps = new byte[Math.Max(nodes, _stamps.Length * 2)];
                _stamp = 0;
            }
            if (++_stamp == byte.MaxValue)
            {
                Array.Clear(_stamps);
                _stamp = 1;
            }
        }

        /// <summary>True when the node was not yet visited.</summary>
        public bool Add(int node)
        {
            if ((uint)node >= (uint)_stamps.Length)
            {
                // Linked by an insert since the search began.
                Array.Resize(ref _stamps, Math.Max(node + 1, _stamps.Length * 2));
            }
            if (_stamps[node] == _stamp)
            {
                return false;
            }
            _stamps[node] = _stamp;
            return true;
        }
    }
}
