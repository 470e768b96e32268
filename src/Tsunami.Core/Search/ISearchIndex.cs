using Tsunami.Core.Assets;

namespace Tsunami.Core.Search;

/// <summary>
/// The store's search side: an inverted index of terms (object:dog, concept:vehicle, tag:site=12, quality:blurry,
/// collection:x), OCR text, capture time and place, and vectors, each answering with asset keys (small integers,
/// sorted) that the query engine intersects and ranks. One session is one read snapshot's worth of connection.
/// </summary>
public interface ISearchIndex
{
    Task<ISearchSession> OpenAsync(CancellationToken cancellationToken);
}

public interface ISearchSession : IAsyncDisposable
{
    /// <summary>Terms starting with <paramref name="prefix"/> and how many assets have each.</summary>
    Task<IReadOnlyDictionary<string, int>> VocabularyAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>The assets that have <paramref name="term"/>, by key, with its best score and its count.</summary>
    Task<Posting> TermAsync(string term, CancellationToken cancellationToken);

    /// <summary>Assets taken in [from, to), sorted by key.</summary>
    Task<long[]> TakenBetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The months photos were taken in (UTC, "2025-03"), newest first, with how many photos each.</summary>
    Task<IReadOnlyList<(string Month, int Assets)>> TakenMonthsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Assets whose position is inside the box, with it.</summary>
    Task<IReadOnlyList<(long Key, GeoPoint Location)>> LocatedWithinAsync(GeoPoint southWest, GeoPoint northEast, CancellationToken cancellationToken);

    /// <summary>Every asset, sorted by key.</summary>
    Task<long[]> AllAsync(CancellationToken cancellationToken);

    /// <summary>OCR lines that match an FTS5 query, over words or over trigrams.</summary>
    Task<IReadOnlyList<TextHit>> MatchTextAsync(string query, bool trigrams, int limit, CancellationToken cancellationToken);

    /// <summary>Id, path and metadata of these assets, in the order given.</summary>
    Task<IReadOnlyList<AssetSummary>> DescribeAsync(IReadOnlyList<long> keys, CancellationToken cancellationToken);

    /// <summary>The key of a stored asset.</summary>
    /// <exception cref="KeyNotFoundException">No such asset.</exception>
    Task<long> KeyOfAsync(AssetId id, CancellationToken cancellationToken);

    /// <summary>A number that changes whenever a vector of the space is written: caches compare it.</summary>
    Task<long> VectorGenerationAsync(string space, CancellationToken cancellationToken);

    Task<VectorSet> VectorsAsync(string space, CancellationToken cancellationToken);
}

/// <summary>Assets having a term, sorted by key; scores and counts aligned with keys.</summary>
public sealed record Posting(long[] Keys, float[] Scores, int[] Counts)
{
    public static readonly Posting Empty = new([], [], []);
}

/// <summary>One OCR line: its asset, its line number and what was read.</summary>
public sealed record TextHit(long Key, int Line, string Text);

public sealed record AssetSummary(long Key, AssetId Id, string Collection, string Path, DateTimeOffset? TakenAt, GeoPoint? Location);

/// <summary>Every vector of a space: keys sorted, vectors row-major, each <see cref="Dimensions"/> long.</summary>
public sealed record VectorSet(long[] Keys, float[] Vectors, int Dimensions)
{
    public ReadOnlySpan<float> Row(int index) => Vectors.AsSpan(index * Dimensions, Dimensions);
}
