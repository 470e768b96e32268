using Tsunami.Core.Assets;
using Tsunami.Core.Ingest;

namespace Tsunami.Core.Storage;

/// <summary>Collections, assets, their metadata and tags, ingest jobs and their per-file errors.</summary>
public interface IAssetStore
{
    Task<Collection> GetOrCreateCollectionAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<Collection>> ListCollectionsAsync(CancellationToken cancellationToken);

    /// <summary>What ingest needs to spot exact and near duplicates among a collection's assets.</summary>
    Task<IReadOnlyList<Fingerprint>> LoadFingerprintsAsync(long collectionId, CancellationToken cancellationToken);

    Task<long> StartIngestJobAsync(string collection, IReadOnlyList<string> sources, CancellationToken cancellationToken);

    /// <summary>Commits a batch in one transaction: its assets, their links and the batch's errors and counts.</summary>
    Task CommitIngestBatchAsync(long jobId, IngestBatch batch, CancellationToken cancellationToken);

    Task FinishIngestJobAsync(long jobId, IngestJobStatus status, CancellationToken cancellationToken);

    /// <summary>Marks jobs still 'running' (their process died) as interrupted; returns how many.</summary>
    Task<int> MarkInterruptedJobsAsync(CancellationToken cancellationToken);

    Task<IngestJob?> GetIngestJobAsync(long jobId, CancellationToken cancellationToken);

    Task<IReadOnlyList<IngestError>> ListIngestErrorsAsync(long jobId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Asset>> ListAssetsAsync(AssetQuery query, CancellationToken cancellationToken);

    /// <summary>Finds an asset by id, unique id prefix (8+ digits) or original path (the newest ingest of it).</summary>
    Task<Asset?> FindAssetAsync(string idOrPath, CancellationToken cancellationToken);

    Task<StoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the assets with everything found in them, in one transaction that also queues the blobs no other
    /// asset refers to (see <see cref="ListBlobsToDeleteAsync"/>); returns how many existed.
    /// </summary>
    Task<int> DeleteAssetsAsync(IReadOnlyList<AssetId> ids, CancellationToken cancellationToken);

    /// <summary>Deletes a collection and its assets like <see cref="DeleteAssetsAsync"/>; null when there is no such collection.</summary>
    Task<int?> DeleteCollectionAsync(string name, CancellationToken cancellationToken);

    /// <summary>Queued blobs that no asset refers to any more: what deletion still has to remove from disk.</summary>
    Task<IReadOnlyList<ContentHash>> ListBlobsToDeleteAsync(CancellationToken cancellationToken);

    /// <summary>Takes blobs off the deletion queue once they are gone from disk.</summary>
    Task ForgetBlobsToDeleteAsync(IReadOnlyList<ContentHash> hashes, CancellationToken cancellationToken);

    /// <summary>Every blob an asset refers to: what a clean-up must keep.</summary>
    Task<IReadOnlySet<ContentHash>> ListReferencedBlobsAsync(CancellationToken cancellationToken);
}
