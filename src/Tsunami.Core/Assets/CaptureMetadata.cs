namespace Tsunami.Core.Assets;

/// <summary>What the file says about how it was taken (EXIF/XMP/GPS), after orientation is applied.</summary>
public sealed record CaptureMetadata
{
    public DateTimeOffset? TakenAt { get; init; }
    public GeoPoint? Location { get; init; }
    public string? CameraMake { get; init; }
    public string? CameraModel { get; init; }

    /// <summary>EXIF orientation 1–8 as found in the file; pixels and sizes stored are already upright.</summary>
    public int Orientation { get; init; } = 1;

    /// <summary>Every readable tag, "Directory/Tag" → description, for display and later questions.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}
