namespace Tsunami.Vectors;

public sealed partial class HnswIndex
{
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
}
