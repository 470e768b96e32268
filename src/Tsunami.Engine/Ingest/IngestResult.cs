using Tsunami.Core.Assets;
using Tsunami.Core.Ingest;
using Tsunami.Engine.Enrichment;
using Tsunami.Storage;

namespace Tsunami.Engine.Ingest;

public sealed record IngestResult
{
    public required long JobId { get; init; }
    public required string Collection { get; init; }
    public required IngestJobStatus Status { get; init; }
    public required int Ingested { get; init; }
    public required int Duplicates { get; init; }
    public required int Failed { get; init; }

    /// <summary>Files a folder walk passed over: not a photo by their extension, or hidden.</summary>
    public required int Skipped { get; init; }

    public required int NearDuplicateLinks { get; init; }
    public required long BytesIngested { get; init; }
    public required TimeSpan Elapsed { get; init; }
    public required IReadOnlyList<IngestError> Errors { get; init; }
    public required IReadOnlyList<DuplicateFile> DuplicateFiles { get; init; }
    public required IReadOnlyList<AssetId> AssetIds { get; init; }
    public required StageTimes Stages { get; init; }
    public required RecoveryReport Recovery { get; init; }

    /// <summary>What enrichment during ingest did; null when it was not asked for or could not start.</summary>
    public EnrichResult? Enrichment { get; init; }

    /// <summary>Why enrichment could not start (a model missing or broken); the photos are stored all the same.</summary>
    public string? EnrichmentError { get; init; }
}

/// <summary>A file skipped because the collection already holds the same bytes.</summary>
public sealed record DuplicateFile(string Path, AssetId DuplicateOf);
