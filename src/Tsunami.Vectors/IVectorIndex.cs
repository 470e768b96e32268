namespace Tsunami.Vectors;

/// <summary>How close two vectors are. Cosine vectors are stored unit-length, so cosine and dot share one kernel.</summary>
public enum Metric
{
    Cosine,
    Dot,
    L2,
}

/// <summary>A search hit: the key given at insert and its distance (smaller is closer; see <see cref="VectorSpace"/>).</summary>
public readonly record struct Neighbor(long Key, float Distance);

/// <summary>What a search may return and how hard it looks.</summary>
public sealed record SearchOptions
{
    public static readonly SearchOptions Default = new();

    /// <summary>HNSW's candidate list size (ignored by flat search); at least k.</summary>
    public int Ef { get; init; } = 64;

    /// <summary>Only these keys may be returned; null: any.</summary>
    public IReadOnlySet<long>? Allowed { get; init; }
}

/// <summary>
/// A nearest-neighbour index over fixed-length float vectors, keyed by the caller's long keys. Adding a key that
/// is present replaces its vector. Implementations: <see cref="FlatIndex"/> (exact) and <see cref="HnswIndex"/>.
/// </summary>
public interface IVectorIndex
{
    int Dimensions { get; }
    Metric Metric { get; }

    /// <summary>Live vectors (removed ones not counted).</summary>
    int Count { get; }

    void Add(long key, ReadOnlySpan<float> vector);

    /// <summary>Removes a key; false when it was not there.</summary>
    bool Remove(long key);

    bool Contains(long key);

    /// <summary>Every live key with its vector as stored (unit length for cosine), for snapshots.</summary>
    IReadOnlyList<(long Key, float[] Vector)> Entries();

    /// <summary>The <paramref name="k"/> nearest live vectors, nearest first.</summary>
    IReadOnlyList<Neighbor> Search(ReadOnlySpan<float> query, int k, SearchOptions? options = null);

    /// <summary>
    /// <see cref="Search"/> for each query, answers in the queries' order. The flat index compares a batch with
    /// each block of vectors while it is in cache; the HNSW index spreads the queries over the cores.
    /// </summary>
    IReadOnlyList<IReadOnlyList<Neighbor>> SearchBatch(IReadOnlyList<float[]> queries, int k, SearchOptions? options = null);
}
