namespace Tsunami.Core.Ingest;

/// <summary>A file that could not be ingested, and why, in one line a user can act on.</summary>
public sealed record IngestError(string Path, string Reason);
