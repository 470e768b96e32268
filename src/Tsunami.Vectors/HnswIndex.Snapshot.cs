using System.Runtime.InteropServices;

namespace Tsunami.Vectors;

public sealed partial class HnswIndex
{
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
}
