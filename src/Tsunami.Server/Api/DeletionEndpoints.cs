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
                var result = await AsWriterAsync(jobs, () => deletion.DeleteAssetsAsync([asset.Id], cancellationToken), cancellationToken);
                return Results.Json(new { id = asset.Id.ToString(), deletedAssets = result.Assets, deletedFiles = result.Blobs });
            })
            .RequireAuthorization(SecurityServiceCollectionExtensions.AdminPolicy)
            .AddEndpointFilter<CrossSiteGuard>();
        api.MapDelete("/collections/{name}", async (DeletionService deletion, IngestJobs jobs, string name, CancellationToken cancellationToken) =>
            {
                var result = await AsWriterAsync(jobs, () => deletion.DeleteCollectionAsync(name, cancellationToken), cancellationToken)
                    ?? throw new ApiException(StatusCodes.Status404NotFound, $"no collection is named '{name}'");
                return Results.Json(new { collection = name, deletedAssets = result.Assets, deletedFiles = result.Blobs });
            })
            .RequireAuthorization(SecurityServiceCollectionExtensions.AdminPolicy)
            .AddEndpointFilter<CrossSiteGuard>();
        return api;
    }

    private static async Task<T> AsWriterAsync<T>(IngestJobs jobs, Func<Task<T>> delete, CancellationToken cancellationToken)
    {
        if (!await jobs.Writer.WaitAsync(WriterWait, cancellationToken))
        {
            throw new ApiException(StatusCodes.Status409Conflict, "an ingest job or upload is writing to the store; retry the deletion when it has finished");
        }
        try
        {
            return await delete();
        }
        finally
        {
            jobs.Writer.Release();
        }
    }
}
