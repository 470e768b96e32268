using System.Numerics.Tensors;
using Microsoft.Extensions.Options;
using Tsunami.Core.Search;
using Tsunami.Core.Storage;
using Tsunami.Storage;
using Tsunami.Vectors;

namespace Tsunami.Engine.Ask;

/// <summary>
/// Each vector space in memory, reloaded only when the store's generation for it changes: a long-lived process
/// (the server, the benchmark) reads them once. A space of <see cref="VectorIndexOptions.HnswAbove"/> vectors or
/// more gets an HNSW index kept on disk beside the store (<c>vectors/&lt;space&gt;/</c>, a durable index: write-ahead
/// log and snapshot), so a restart opens it instead of rebuilding it; it is kept in step with the store by their
/// difference (new and changed vectors added, removed ones dropped), never rebuilt for one new photo. The store
/// stays the truth: an index that cannot be opened is rebuilt from it. One process at a time keeps a space's index
/// on disk (a lock file); another one (a CLI beside the server) keeps its own in memory.
/// </summary>
public sealed class VectorCache(IOptions<VectorIndexOptions> options, DataDirectory data) : IDisposable
{
    private const int CheckpointAbove = 1000; // changes at once after which the snapshot is rewritten and the log emptied

    private readonly Dictionary<string, Space> _spaces = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly VectorIndexOptions _options = options.Value;

    /// <summary>HNSW indexes built from every vector so far (the others were opened from disk or updated in place).</summary>
    internal int Builds { get; private set; }

    /// <summary>HNSW indexes opened from disk with vectors in them.</summary>
    internal int Opened { get; private set; }

    public async Task<IndexedVectors> GetAsync(ISearchSession session, string space, CancellationToken cancellationToken)
    {
        var generation = await session.VectorGenerationAsync(space, cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _spaces.TryGetValue(space, out var cached);
            if (cached is not null && cached.Generation == generation)
            {
                return cached.Vectors;
            }
            var set = await session.VectorsAsync(space, cancellationToken);
            Space next;
            if (_options.WantsHnsw(set.Keys.Length) && set.Keys.Length > 0)
            {
                next = Sync(space, cached, set, generation);
            }
            else
            {
                // Below the threshold the index is left as it is on disk; crossing it again brings it in step from there.
                cached?.Dispose();
                next = new Space(generation, new IndexedVectors(set, null, _options), null, null, null);
            }
            _spaces[space] = next;
            return next.Vectors;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Reads every space the store holds vectors of, opening or building their HNSW indexes where they are due, so
    /// that the first question does not pay for it (a build takes ~90 s at 331K vectors on two cores): the server
    /// calls it once it is up.
    /// </summary>
    /// <returns>The spaces read.</returns>
    public async Task<IReadOnlyList<string>> WarmAsync(ISearchIndex index, CancellationToken cancellationToken)
    {
        await using var session = await index.OpenAsync(cancellationToken);
        var read = new List<string>();
        foreach (var space in Spaces)
        {
            if (await session.VectorGenerationAsync(space, cancellationToken) > 0)
            {
                await GetAsync(session, space, cancellationToken);
                read.Add(space);
            }
        }
        return read;
    }

    /// <summary>The vector spaces questions search: the classifier's features, the GloVe semantic space, CLIP's.</summary>
    private static readonly string[] Spaces = [VectorSpaceNames.Visual, VectorSpaceNames.Semantic, VectorSpaceNames.Clip];

    public void Dispose()
    {
        foreach (var space in _spaces.Values)
        {
            space.Dispose();
        }
        _gate.Dispose();
    }

    /// <summary>Brings the space's index in step with <paramref name="set"/>: from what this process last saw, else from what the disk holds.</summary>
    private Space Sync(string space, Space? cached, VectorSet set, long generation)
    {
        if (cached is { Graph: { } graph } && graph.Dimensions == set.Dimensions)
        {
            Apply(cached.Durable, graph, cached.Vectors.Set, set);
            return cached with { Generation = generation, Vectors = new IndexedVectors(set, graph, _options) };
        }
        cached?.Dispose();
        var hnsw = new HnswOptions { M = _options.M, EfConstruction = _options.EfConstruction };
        var folder = Path.Combine(data.Root, "vectors", space);
        if (Lock(folder) is not { } guard)
        {
            graph = new HnswIndex(set.Dimensions, Metric.Cosine, hnsw);
            graph.AddRange(Rows(set));
            Builds++;
            return new Space(generation, new IndexedVectors(set, graph, _options), null, graph, null);
        }
        var (durable, opened) = Open(folder, set.Dimensions, hnsw);
        if (opened.Count == 0)
        {
            durable.AddRange(Rows(set));
            durable.Checkpoint();
            Builds++;
        }
        else
        {
            Opened++;
            var entries = durable.Entries().OrderBy(e => e.Key).ToArray();
            Apply(durable, opened, new VectorSet([.. entries.Select(e => e.Key)], [.. entries.SelectMany(e => e.Vector)], set.Dimensions), set);
        }
        return new Space(generation, new IndexedVectors(set, opened, _options), durable, opened, guard);
    }

    private static List<(long Key, float[] Vector)> Rows(VectorSet set) => [.. set.Keys.Select((key, row) => (key, set.Row(row).ToArray()))];

    /// <summary>The space's lock file, held while this process keeps its index on disk; null when another process holds it or the folder is read-only.</summary>
    private static FileStream? Lock(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            return new FileStream(Path.Combine(folder, "writer.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (DurableVectorIndex, HnswIndex) Open(string folder, int dimensions, HnswOptions hnsw)
    {
        HnswIndex? graph = null;
        try
        {
            return (DurableVectorIndex.Open(folder, () => graph = new HnswIndex(dimensions, Metric.Cosine, hnsw)), graph!);
        }
        catch (InvalidDataException)
        {
            // Another model's dimensions, other build parameters or a damaged file: the store has every vector.
            foreach (var file in Directory.EnumerateFiles(folder, "index.*"))
            {
                File.Delete(file);
            }
            return (DurableVectorIndex.Open(folder, () => graph = new HnswIndex(dimensions, Metric.Cosine, hnsw)), graph!);
        }
    }

    /// <summary>Walks both sorted key lists: drops what is gone, adds what is new or changed, in two batches.</summary>
    private static void Apply(DurableVectorIndex? durable, HnswIndex graph, VectorSet before, VectorSet after)
    {
        var removed = new List<long>();
        var changed = new List<(long, float[])>();
        var (i, j) = (0, 0);
        while (i < before.Keys.Length || j < after.Keys.Length)
        {
            if (j == after.Keys.Length || (i < before.Keys.Length && before.Keys[i] < after.Keys[j]))
            {
                removed.Add(before.Keys[i++]);
            }
            else if (i == before.Keys.Length || after.Keys[j] < before.Keys[i])
            {
                changed.Add((after.Keys[j], after.Row(j++).ToArray()));
            }
            else
            {
                // The index keeps vectors re-normalised, so equal means equal to rounding.
                if (TensorPrimitives.Distance(before.Row(i), after.Row(j)) > 1e-4f)
                {
                    changed.Add((after.Keys[j], after.Row(j).ToArray()));
                }
                (i, j) = (i + 1, j + 1);
            }
        }
        if (durable is null)
        {
            removed.ForEach(key => graph.Remove(key));
            graph.AddRange(changed);
            if (graph.NeedsCompaction)
            {
                graph.Compact();
            }
            return;
        }
        durable.RemoveRange(removed);
        durable.AddRange(changed);
        if (removed.Count + changed.Count > CheckpointAbove)
        {
            durable.Checkpoint();
        }
    }

    /// <summary>
    /// A space as last read: its vectors, and its index with, when kept on disk, the durable wrapper and the lock
    /// file. Disposing closes those two only: a question still running on the graph (float32, on the heap) finishes.
    /// </summary>
    private sealed record Space(long Generation, IndexedVectors Vectors, DurableVectorIndex? Durable, HnswIndex? Graph, FileStream? Guard) : IDisposable
    {
        public void Dispose()
        {
            Durable?.Dispose();
            Guard?.Dispose();
        }
    }
}
