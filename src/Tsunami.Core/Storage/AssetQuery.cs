namespace Tsunami.Core.Storage;

/// <summary>A page of assets, newest ingest first, optionally narrowed by collection, tag and capture time.</summary>
public sealed record AssetQuery
{
    public string? Collection { get; init; }

    /// <summary>Only assets with this tag (key and value compared without case).</summary>
    public KeyValuePair<string, string>? Tag { get; init; }

    /// <summary>Only assets taken at or after this time.</summary>
    public DateTimeOffset? TakenFrom { get; init; }

    /// <summary>Only assets taken before this time.</summary>
    public DateTimeOffset? TakenBefore { get; init; }

    public int Limit { get; init; } = 50;
    public int Offset { get; init; }
}
