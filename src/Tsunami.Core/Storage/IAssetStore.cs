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

    /// <summary>Every blob an asset refers to: what a clean-up must keep.</summary>
    Task<IReadOnlySet<ContentHash>> ListReferencedBlobsAsync(CancellationToken cancellationToken);
}
