namespace Tsunami.Core.Assets;

/// <summary>One stored photo: its original, what was read from it and what was made from it.</summary>
public sealed record Asset
{
    public required AssetId Id { get; init; }
    public required string Collection { get; init; }

    /// <summary>The absolute path the original was ingested from.</summary>
    public required string Path { get; init; }

    public required ContentHash Hash { get; init; }
    public required long Bytes { get; init; }

    /// <summary>The format found in the content (jpeg, png, webp, tiff, gif, heif), whatever the extension says.</summary>
    public required string Format { get; init; }

    public required int Width { get; init; }
    public required int Height { get; init; }
    public required ulong PerceptualHash { get; init; }
    public required DateTimeOffset IngestedAt { get; init; }
    public required CaptureMetadata Capture { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<DerivedFile> Derived { get; init; } = [];
    public IReadOnlyList<NearDuplicate> NearDuplicates { get; init; } = [];
}
