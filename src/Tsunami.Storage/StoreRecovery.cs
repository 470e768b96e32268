using Tsunami.Core.Storage;

namespace Tsunami.Storage;

/// <summary>
/// Brings a store back to a clean state after a process died mid-write: blobs are written before the
/// transaction that refers to them, so a crash can leave blobs no row refers to, and temporary files.
/// </summary>
public sealed class StoreRecovery(IAssetStore assets, IBlobStore blobs)
{
    /// <summary>Call while holding the <see cref="WriterLock"/>. Cheap when the last writer finished cleanly.</summary>
    public async Task<RecoveryReport> RecoverAsync(CancellationToken cancellationToken)
    {
        var interrupted = await assets.MarkInterruptedJobsAsync(cancellationToken);
        var temporaryFiles = blobs.DeleteUnfinishedWrites();
        var deleted = await DeleteQueuedBlobsAsync(cancellationToken);
        var orphans = interrupted == 0 ? 0 : await DeleteOrphansAsync(cancellationToken);
        return new RecoveryReport(interrupted, temporaryFiles, orphans, deleted);
    }

    /// <summary>Removes from disk the blobs that deleted assets left unreferenced; returns how many.</summary>
    public async Task<int> DeleteQueuedBlobsAsync(CancellationToken cancellationToken)
    {
        var queued = await assets.ListBlobsToDeleteAsync(cancellationToken);
        if (queued.Count == 0)
        {
            return 0;
        }
        foreach (var hash in queued)
        {
            blobs.Delete(hash);
        }
        // The unlinks must be on disk before the queue forgets them, or a power cut could bring back blobs nobody tracks.
        blobs.Flush();
        await assets.ForgetBlobsToDeleteAsync(queued, cancellationToken);
        return queued.Count;
    }

    /// <summary>Deletes every blob no asset refers to; returns how many.</summary>
    public async Task<int> DeleteOrphansAsync(CancellationToken cancellationToken)
    {
        var referenced = await assets.ListReferencedBlobsAsync(cancellationToken);
        var deleted = 0;
        foreach (var hash in blobs.EnumerateAll().ToList())
        {
            if (!referenced.Contains(hash))
            {
                blobs.Delete(hash);
                deleted++;
            }
        }
        return deleted;
    }
}

public sealed record RecoveryReport(int InterruptedJobs, int TemporaryFiles, int OrphanBlobs, int DeletedBlobs);
