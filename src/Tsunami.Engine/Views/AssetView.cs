using System.Globalization;
using Tsunami.Core.Assets;

namespace Tsunami.Engine.Views;

/// <summary>An asset as the CLI and the API show it.</summary>
public sealed record AssetView(
    string Id,
    string Collection,
    string Path,
    string Sha256,
    long Bytes,
    string Format,
    int Width,
    int Height,
    string? TakenAt,
    LocationView? Location,
    string? CameraMake,
    string? CameraModel,
    int Orientation,
    string PerceptualHash,
    string IngestedAt,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<DerivedView> Derived,
    IReadOnlyList<NearDuplicateView> NearDuplicates,
    IReadOnlyDictionary<string, string>? Metadata)
{
    public static AssetView From(Asset asset, bool withMetadata) => new(
        asset.Id.ToString(),
        asset.Collection,
        asset.Path,
        asset.Hash.Hex,
        asset.Bytes,
        asset.Format,
        asset.Width,
        asset.Height,
        asset.Capture.TakenAt?.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        asset.Capture.Location is { } location ? new LocationView(location.Latitude, location.Longitude) : null,
        asset.Capture.CameraMake,
        asset.Capture.CameraModel,
        asset.Capture.Orientation,
        asset.PerceptualHash.ToString("x16", CultureInfo.InvariantCulture),
        asset.IngestedAt.ToString("O", CultureInfo.InvariantCulture),
        asset.Tags,
        asset.Derived.Select(d => new DerivedView(d.Kind.ToString().ToLowerInvariant(), d.Hash.Hex, d.MediaType, d.Width, d.Height, d.Bytes)).ToList(),
        asset.NearDuplicates.Select(n => new NearDuplicateView(n.Other.ToString(), n.Distance)).ToList(),
        withMetadata ? asset.Capture.Tags : null);
}

public sealed record LocationView(double Latitude, double Longitude);

public sealed record DerivedView(string Kind, string Sha256, string MediaType, int Width, int Height, long Bytes);

public sealed record NearDuplicateView(string Id, int Distance);
