namespace Tsunami.Engine.Ingest;

/// <summary>A snapshot of a running ingest, reported after every file.</summary>
public sealed record IngestProgress(int FilesTotal, long BytesTotal, int FilesDone, long BytesDone, int Ingested, int Duplicates, int Failed);
