using System.Numerics.Tensors;
using Tsunami.Core.Search;
using Tsunami.Vectors;

namespace Tsunami.Engine.Ask;

/// <summary>
/// A space's vectors as the store holds them, and, once there are many, the HNSW index over them. Conditions are
/// scored exactly against every vector they may match while that is cheap; through the index, only the nearest
/// <see cref="VectorIndexOptions.Candidates"/> are scored.
/// </summary>
public sealed class IndexedVectors
{
    private readonly HnswIndex? _index;
    private readonly VectorIndexOptions _options;

    internal IndexedVectors(VectorSet set, HnswIndex? index, VectorIndexOptions options)
    {
        (Set, _index, _options) = (set, index, options);
    }

    public VectorSet Set { get; }
    public int Dimensions => Set.Dimensions;

    /// <summary>How a condition is compared: "exact", or "HNSW" (approximate, the nearest candidates only).</summary>
    public string Method => _index is null ? "exact" : "HNSW";

    internal HnswIndex? Index => _index;

    /// <summary>Cosine (dot product of unit vectors) of <paramref name="query"/> with the vectors within the sorted keys (null: all) but <paramref name="exclude"/>; keys sorted.</summary>
    public (long[] Keys, float[] Scores) Similarities(float[] query, long? exclude, long[]? within)
    {
        if (Set.Dimensions != query.Length)
        {
            return ([], []);
        }
        return _index is null ? Exact(query, exclude, within) : Nearest(_index, query, exclude, within);
    }

    private (long[] Keys, float[] Scores) Nearest(HnswIndex index, float[] query, long? exclude, long[]? within)
    {
        var wanted = _options.Candidates + (exclude is null ? 0 : 1);
        var search = new SearchOptions { Ef = Math.Max(_options.Ef, wanted), Allowed = within?.ToHashSet() };
        var hits = index.Search(query, wanted, search).Where(h => h.Key != exclude).ToArray();
        long[] keys = [.. hits.Select(h => h.Key)];
        float[] scores = [.. hits.Select(h => 1 - h.Distance)];
        Array.Sort(keys, scores);
        return (keys, scores);
    }

    private (long[] Keys, float[] Scores) Exact(float[] query, long? exclude, long[]? within)
    {
        var keys = new List<long>(within?.Length ?? Set.Keys.Length);
        var scores = new List<float>(keys.Capacity);
        var next = 0;
        for (var i = 0; i < Set.Keys.Length; i++)
        {
            if (within is not null)
            {
                while (next < within.Length && within[next] < Set.Keys[i])
                {
                    next++;
                }
                if (next == within.Length)
                {
                    break;
                }
                if (within[next] != Set.Keys[i])
                {
                    continue;
                }
            }
            if (Set.Keys[i] != exclude)
            {
                keys.Add(Set.Keys[i]);
                scores.Add(TensorPrimitives.Dot(Set.Row(i), query));
            }
        }
        return ([.. keys], [.. scores]);
    }
}
