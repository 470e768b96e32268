using System.Runtime.CompilerServices;

namespace Tsunami.Vectors;

public sealed partial class HnswIndex
{
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

    private void PrefetchLinks(int node) => DotKernel.Prefetch(ref Unsafe.As<int, byte>(ref _layer0[node * (_m0 + 1)]), (_m0 + 1) * sizeof(int));
}
