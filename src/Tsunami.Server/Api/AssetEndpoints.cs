using System.Security.Claims;
using Tsunami.Core.Assets;
using Tsunami.Core.Storage;
using Tsunami.Engine.Views;
using Tsunami.Server.Security;

namespace Tsunami.Server.Api;

/// <summary>The store's contents: statistics, collections, assets, and their files with safe content types.</summary>
internal static class AssetEndpoints
{
    private static readonly Dictionary<string, string> MediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["jpeg"] = "image/jpeg", ["png"] = "image/png", ["webp"] = "image/webp", ["tiff"] = "image/tiff",
        ["gif"] = "image/gif", ["avif"] = "image/avif", ["heif"] = "image/heif",
    };

    public static RouteGroupBuilder MapAssets(this RouteGroupBuilder api)
    {
        api.MapGet("/stats", async (IAssetStore store, CancellationToken cancellationToken) => Results.Json(await store.GetStatisticsAsync(cancellationToken)));

        api.MapGet("/collections", async (IAssetStore store, CancellationToken cancellationToken) =>
            Results.Json(new { collections = (await store.ListCollectionsAsync(cancellationToken)).Select(c => c.Name) }));

        api.MapGet("/assets", async (IAssetStore store, string? collection, string? tag, string? takenFrom, string? takenTo, int? limit, int? offset, CancellationToken cancellationToken) =>
        {
            var query = new AssetQuery
            {
                Collection = collection,
                Tag = tag is null ? null : tag.Split('=', 2) is [{ Length: > 0 } key, var value] ? new(key, value)
                    : throw new ApiException(StatusCodes.Status400BadRequest, $"tag: '{tag}' is not key=value"),
                TakenFrom = Day(nameof(takenFrom), takenFrom),
                TakenBefore = Day(nameof(takenTo), takenTo)?.AddDays(1),
                Limit = limit ?? 50,
                Offset = offset ?? 0,
            };
            if (query.Limit is < 1 or > 1000 || query.Offset < 0)
            {
                throw new ApiException(StatusCodes.Status400BadRequest, "limit must lie within 1..1000 and offset must not be negative");
            }
            var assets = await store.ListAssetsAsync(query, cancellationToken);
            return Results.Json(new { count = assets.Count, offset = query.Offset, assets = assets.Select(a => AssetView.From(a, withMetadata: false)) });
        });

        api.MapGet("/assets/{id}", async (IAssetStore store, IEnrichmentStore enrichments, string id, CancellationToken cancellationToken) =>
        {
            var asset = await FindAsync(store, id, cancellationToken);
            return Results.Json(Json.Detail(asset, await enrichments.GetAsync(asset.Id, cancellationToken)));
        });

        api.MapGet("/assets/{id}/{file:regex(^(original|preview|thumbnail)$)}", async (
            IAssetStore store, IBlobStore blobs, ClaimsPrincipal user, HttpContext http, string id, string file, CancellationToken cancellationToken) =>
        {
            var asset = await FindAsync(store, id, cancellationToken);
            var (hash, mediaType) = file switch
            {
                "original" => (asset.Hash, MediaTypes.GetValueOrDefault(asset.Format, "application/octet-stream")),
                "preview" => Derived(asset, DerivedKind.Preview),
                // Read-only callers see the thumbnail with faces blurred, where enrichment made one.
                _ when !user.IsInRole(ApiRoles.Admin) && asset.Derived.Any(d => d.Kind == DerivedKind.PrivateThumbnail) => Derived(asset, DerivedKind.PrivateThumbnail),
                _ => Derived(asset, DerivedKind.Thumbnail),
            };
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
            return Results.Stream(blobs.OpenRead(hash), mediaType, enableRangeProcessing: true, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{hash.Hex}\""));
        });
        return api;
    }

    /// <summary>An asset by id or id prefix (8+ hex digits); nothing else is looked up, so no path reaches the store.</summary>
    public static async Task<Asset> FindAsync(IAssetStore store, string id, CancellationToken cancellationToken)
    {
        if (id.Length < 8 || !id.All(c => char.IsAsciiHexDigit(c) || c == '-'))
        {
            throw new ApiException(StatusCodes.Status404NotFound, $"no asset has the id '{id}' (ids are hexadecimal, 8 digits or more)");
        }
        return await store.FindAssetAsync(id, cancellationToken)
            ?? throw new ApiException(StatusCodes.Status404NotFound, $"no asset has the id '{id}'");
    }

    /// <summary>A day as yyyy-MM-dd (UTC), or null when not given.</summary>
    private static DateTimeOffset? Day(string parameter, string? value) =>
        value is null ? null
        : DateTimeOffset.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var day) ? day
        : throw new ApiException(StatusCodes.Status400BadRequest, $"{parameter}: '{value}' is not a date (yyyy-MM-dd)");

    private static (ContentHash Hash, string MediaType) Derived(Asset asset, DerivedKind kind) =>
        asset.Derived.FirstOrDefault(d => d.Kind == kind) is { } derived
            ? (derived.Hash, derived.MediaType)
            : throw new ApiException(StatusCodes.Status404NotFound, $"asset {asset.Id} has no {kind.ToString().ToLowerInvariant()}");
}
