using Microsoft.Extensions.Options;
using Tsunami.Core.Search;
using Tsunami.Vectors;

namespace Tsunami.Engine.Ask;

/// <summary>
/// Each vector space in memory, reloaded only when the store's generation for it changes: a long-lived process
/// (the server, the benchmark) reads them once. A space of <see cref="VectorIndexOptions.HnswAbove"/> vectors or
/// more gets an HNSW index, built once and then kept in step with the store by its difference (new and changed
/// vectors added, removed ones dropped, compacted when tombstones pile up), never rebuilt for one new photo.
/// </summary>
public sealed class VectorCache(IOptions<VectorIndexOptions> options)
{
    private readonly Dictionary<string, (long Generation, IndexedVectors Vectors)> _spaces = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly VectorIndexOptions _options = options.Value;

    /// <summary>HNSW indexes built from scratch so far (the others were updated in place).</summary>
    internal int Builds { get; private set; }

    public async Task<IndexedVectors> GetAsync(ISearchSession session, string space, CancellationToken cancellationToken)
    {
        var generation = await session.VectorGenerationAsync(space, cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _spaces.TryGetValue(space, out var cached);
            if (cached.Vectors is not null && cached.Generation == generation)
            {
                return cached.Vectors;
            }
            var set = await session.VectorsAsync(space, cancellationToken);
            var indexed = new IndexedVectors(set, Index(cached.Vectors, set), _options);
            _spaces[space] = (generation, indexed);
            return indexed;
        }
        finally
        {
            _gate.Release();
        }
    }

    private HnswIndex? Index(IndexedVectors? before, VectorSet set)
    {
        if (!_options.WantsHnsw(set.Keys.Length) || set.Keys.Length == 0)
        {
            return null;
        }
        if (before?.Index is { } index && index.Dimensions == set.Dimensions)
        {
            index.AddRange(Changes(before.Set, set, index));
            if (index.Tombstones > index.Options.CompactAboveTombstones * (index.Count + index.Tombstones))
            {
                index.Compact();
            }
            return index;
        }
        index = new HnswIndex(set.Dimensions, Metric.Cosine, new HnswOptions { M = _options.M, EfConstruction = _options.EfConstruction });
        index.AddRange([.. set.Keys.Select((key, row) => (key, set.Row(row).ToArray()))]);
        Builds++;
        return index;
    }

    /// <summary>Walks both sorted key lists: removes what is gone from the index, returns what is new or changed.</summary>
    private static List<(long Key, float[] Vector)> Changes(VectorSet before, VectorSet after, HnswIndex index)
    {
        var changes = new List<(long, float[])>();
        var (i, j) = (0, 0);
        while (i < before.Keys.Length || j < after.Keys.Length)
        {
            if (j == after.Keys.Length || (i < before.Keys.Length && before.Keys[i] < after.Keys[j]))
            {
                index.Remove(before.Keys[i++]);
            }
            else if (i == before.Keys.Length || after.Keys[j] < before.Keys[i])
            {
                changes.Add((after.Keys[j], after.Row(j++).ToArray()));
            }
            else
            {
                if (!before.Row(i).SequenceEqual(after.Row(j)))
                {
                    changes.Add((after.Keys[j], after.Row(j).ToArray()));
                }
                (i, j) = (i + 1, j + 1);
            }
        }
        return changes;
    }
}
