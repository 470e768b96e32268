namespace Tsunami.Core.Ingest;

public enum IngestJobStatus
{
    Running,
    Completed,
    Cancelled,
    Interrupted,
}

public sealed record IngestJob(
    long Id,
    string Collection,
    IngestJobStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    int Ingested,
    int Duplicates,
    int Failed);
