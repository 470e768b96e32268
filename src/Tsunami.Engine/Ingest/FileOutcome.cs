using Tsunami.Core.Assets;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Ingest;

namespace Tsunami.Engine.Ingest;

/// <summary>What a worker made of one file, handed to the single writer.</summary>
internal abstract record FileOutcome(Candidate File)
{
    /// <summary>Decoded, and its blobs are on disk: only the rows remain to be written.</summary>
    public sealed record Stored(Candidate File, Asset Asset, AssetEnrichment? Enrichment = null) : FileOutcome(File);

    public sealed record Duplicate(Candidate File, AssetId Of) : FileOutcome(File);

    public sealed record Failed(Candidate File, IngestError Error) : FileOutcome(File);
}
