using Tsunami.Core.Assets;
using Tsunami.Core.Storage;
using Tsunami.Storage;

namespace Tsunami.Engine.Deletion;

/// <summary>
/// Deletes assets or whole collections as the store's one writer: the rows in one transaction that queues the blobs
/// nothing else refers to, then those blobs from disk. A crash in between leaves the queue, which the next writer's
/// recovery finishes; a blob that another collection shares is kept.
/// </summary>
public sealed class DeletionService(IAssetStore assets, StoreRecovery recovery, DataDirectory dataDirectory)
{
    /// <exception cref="StoreBusyException">Another process is writing to the same data folder.</exception>
    public async Task<DeletionResult> DeleteAssetsAsync(IReadOnlyList<AssetId> ids, CancellationToken cancellationToken)
    {
        using var writerLock = WriterLock.Acquire(dataDirectory);
        await recovery.RecoverAsync(cancellationToken);
        var deleted = await assets.DeleteAssetsAsync(ids, cancellationToken);
        return new DeletionResult(deleted, await recovery.DeleteQueuedBlobsAsync(CancellationToken.None));
    }

    /// <returns>Null when no collection has this name.</returns>
    /// <exception cref="StoreBusyException">Another process is writing to the same data folder.</exception>
    public async Task<DeletionResult?> DeleteCollectionAsync(string name, CancellationToken cancellationToken)
    {
        using var writerLock = WriterLock.Acquire(dataDirectory);
        await recovery.RecoverAsync(cancellationToken);
        var deleted = await assets.DeleteCollectionAsync(name, cancellationToken);
        return deleted is { } count ? new DeletionResult(count, await recovery.DeleteQueuedBlobsAsync(CancellationToken.None)) : null;
    }
}

/// <summary>How many assets were deleted and how many blobs (originals, previews, thumbnails) left the disk with them.</summary>
public sealed record DeletionResult(int Assets, int Blobs);
