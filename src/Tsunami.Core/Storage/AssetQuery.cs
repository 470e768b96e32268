namespace Tsunami.Core.Storage;

/// <summary>A page of assets, newest ingest first.</summary>
public sealed record AssetQuery
{
    public string? Collection { get; init; }
    public int Limit { get; init; } = 50;
    public int Offset { get; init; }
}
