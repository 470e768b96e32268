using Tsunami.Core.Assets;
using Tsunami.Core.Enrichment;

namespace Tsunami.Core.Storage;

/// <summary>A stored photo that a stage has not yet seen at its current version.</summary>
public sealed record EnrichmentWork(AssetId Asset, ContentHash Preview, ContentHash Thumbnail, int Width, int Height, IReadOnlyList<string> Stages);

/// <summary>What enrichment found in each photo, per stage and version.</summary>
public interface IEnrichmentStore
{
    /// <summary>Assets (of one collection, or all) for which any of the stages is missing or at another version.</summary>
    Task<IReadOnlyList<EnrichmentWork>> ListPendingAsync(string? collection, IReadOnlyDictionary<string, string> stageVersions, bool force, CancellationToken cancellationToken);

    /// <summary>Replaces the results of the stages that ran, for each asset, in one transaction.</summary>
    Task CommitAsync(IReadOnlyList<AssetEnrichment> enrichments, CancellationToken cancellationToken);

    /// <summary>Every stored vector of a space ("visual", "semantic"), of one collection or all.</summary>
    Task<IReadOnlyList<(AssetId Asset, float[] Vector)>> ListVectorsAsync(string space, string? collection, CancellationToken cancellationToken);

    /// <summary>Everything stored for an asset, all stages together (stages never run are null).</summary>
    Task<AssetEnrichment> GetAsync(AssetId asset, CancellationToken cancellationToken);
}
