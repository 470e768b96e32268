using Tsunami.Core.Assets;

namespace Tsunami.Core.Ingest;

/// <summary>What one commit of an ingest job adds: new assets, skipped duplicates and failures.</summary>
public sealed record IngestBatch(IReadOnlyList<Asset> Assets, int Duplicates, IReadOnlyList<IngestError> Errors);
