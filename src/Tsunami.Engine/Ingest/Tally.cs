using Tsunami.Core.Assets;
using Tsunami.Core.Ingest;

namespace Tsunami.Engine.Ingest;

/// <summary>Running counts of one ingest, touched only by the writer, reported as progress after every file.</summary>
internal sealed class Tally(int filesTotal, long bytesTotal, IProgress<IngestProgress>? progress)
{
    private readonly List<IngestError> _errors = [];
    private readonly List<DuplicateFile> _duplicateFiles = [];
    private readonly List<AssetId> _assetIds = [];
    private readonly List<IngestError> _enrichmentErrors = [];
    private int _filesDone;
    private long _bytesDone;

    public int Ingested => _assetIds.Count;
    public int Duplicates => _duplicateFiles.Count;
    public int NearDuplicateLinks { get; private set; }
    public long BytesIngested { get; private set; }
    public IReadOnlyList<IngestError> Errors => _errors;
    public IReadOnlyList<DuplicateFile> DuplicateFiles => _duplicateFiles;
    public IReadOnlyList<AssetId> AssetIds => _assetIds;
    public int Enriched { get; private set; }
    public IReadOnlyList<IngestError> EnrichmentErrors => _enrichmentErrors;

    public void AddScanErrors(IEnumerable<IngestError> errors)
    {
        _errors.AddRange(errors);
        Report();
    }

    public void Add(FileOutcome outcome, int nearDuplicateLinks)
    {
        switch (outcome)
        {
            case FileOutcome.Stored stored:
                _assetIds.Add(stored.Asset.Id);
                if (stored.Enrichment is { Errors.Count: 0 })
                {
                    Enriched++;
                }
                else if (stored.Enrichment is { } failed)
                {
                    _enrichmentErrors.Add(new IngestError(stored.Asset.Path, string.Join("; ", failed.Errors.Values.Distinct())));
                }
                BytesIngested += stored.Asset.Bytes;
                NearDuplicateLinks += nearDuplicateLinks;
                break;
            case FileOutcome.Duplicate duplicate:
                _duplicateFiles.Add(new DuplicateFile(duplicate.File.Path, duplicate.Of));
                break;
            case FileOutcome.Failed failed:
                _errors.Add(failed.Error);
                break;
        }
        _filesDone++;
        _bytesDone += outcome.File.Bytes;
        Report();
    }

    private void Report() =>
        progress?.Report(new IngestProgress(filesTotal, bytesTotal, _filesDone, _bytesDone, Ingested, Duplicates, _errors.Count));
}
