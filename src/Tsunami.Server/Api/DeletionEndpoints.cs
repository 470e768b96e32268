using Tsunami.Engine.Deletion;
using Tsunami.Server.Security;

namespace Tsunami.Server.Api;

/// <summary>Deleting assets and collections (admin): rows, search entries, vectors and the files nothing else uses.</summary>
internal static class DeletionEndpoints
{
    /// <summary>How long a deletion waits for a running ingest job or upload before it answers 409.</summary>
    private static readonly TimeSpan WriterWait = TimeSpan.FromSeconds(5);

    public static RouteGroupBuilder MapDeletion(this RouteGroupBuilder api)
    {
        api.MapDelete("/assets/{id}", async (Core.Storage.IAssetStore store, DeletionService deletion, IngestJobs jobs, string id, CancellationToken cancellationToken) =>
            {
                var asset = await AssetEndpoints.FindAsync(store, id, cancellationToken);
                var result = await jobs.AsWriterAsync("deletion", () => deletion.DeleteAssetsAsync([asset.Id], cancellationToken), WriterWait, cancellationToken);
                return Results.Json(new { id = asset.Id.ToString(), deletedAssets = result.Assets, deletedFiles = result.Blobs });
            })
            .RequireAuthorization(SecurityServiceCollectionExtensions.AdminPolicy)
            .AddEndpointFilter<CrossSiteGuard>();
        api.MapDelete("/collections/{name}", async (DeletionService deletion, IngestJobs jobs, string name, CancellationToken cancellationToken) =>
            {
                var result = await jobs.AsWriterAsync("deletion", () => deletion.DeleteCollectionAsync(name, cancellationToken), WriterWait, cancellationToken)
                    ?? throw new ApiException(StatusCodes.Status404NotFound, $"no collection is named '{name}'");
                return Results.Json(new { collection = name, deletedAssets = result.Assets, deletedFiles = result.Blobs });
            })
            .RequireAuthorization(SecurityServiceCollectionExtensions.AdminPolicy)
            .AddEndpointFilter<CrossSiteGuard>();
        return api;
    }
}
