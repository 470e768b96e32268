using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tsunami.Core.Assets;
using Tsunami.Core.Ingest;
using Tsunami.Core.Storage;
using Tsunami.Engine.Clip;
using Tsunami.Engine.Enrichment;
using Tsunami.Inference;
using Tsunami.Inference.Onnx;
using Tsunami.Inference.Repository;
using Tsunami.Inference.Vision;
using Tsunami.Media.Analysis;
using Tsunami.Media;
using Tsunami.Media.Decoding;
using Tsunami.Storage;

namespace Tsunami.Engine.Ingest;

/// <summary>
/// Ingests files and folders into a collection: workers (one per core) read, hash, decode and store blobs;
/// one writer commits batches of rows. Blobs land before the rows that name them, so a crash leaves at most
/// unreferenced blobs, which the next ingest's recovery deletes; re-running then stores every file exactly once.
/// </summary>
public sealed partial class IngestService(
    IAssetStore assets,
    IBlobStore blobs,
    StoreRecovery recovery,
    DataDirectory dataDirectory,
    PhotoProcessor processor,
    IEnrichmentStore enrichments,
    VisionModels visionModels,
    ClipModels clipModels,
    QualityAnalyzer quality,
    IOptions<InferenceOptions> inferenceOptions,
    IOptions<IngestOptions> ingestOptions,
    IOptions<MediaOptions> mediaOptions,
    TimeProvider time,
    ILogger<IngestService> logger)
{
    private readonly IngestOptions _options = ingestOptions.Value;

    /// <exception cref="StoreBusyException">Another process is writing to the same data folder.</exception>
    public async Task<IngestResult> IngestAsync(IngestRequest request, IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        using var writerLock = WriterLock.Acquire(dataDirectory);
        var recovered = await recovery.RecoverAsync(cancellationToken);
        if (recovered.InterruptedJobs > 0)
        {
            LogRecovered(recovered.InterruptedJobs, recovered.OrphanBlobs, recovered.TemporaryFiles);
        }

        var scan = new SourceScanner(_options.Extensions).Scan(request.Sources);
        var collection = await assets.GetOrCreateCollectionAsync(request.Collection, cancellationToken);
        var jobId = await assets.StartIngestJobAsync(collection.Name, request.Sources, cancellationToken);
        var duplicateIndex = new DuplicateIndex(await assets.LoadFingerprintsAsync(collection.Id, cancellationToken), _options.NearDuplicateMaxDistance);
        var clock = new StageClock();
        var (enrichment, enrichmentError) = request.Enrich ? await StartEnrichmentAsync(cancellationToken) : (null, null);
        var worker = new PhotoWorker(processor, blobs, duplicateIndex, mediaOptions.Value, request, clock, time, enrichment);
        var tally = new Tally(scan.Candidates.Count, scan.Candidates.Sum(c => c.Bytes), progress);

        var status = IngestJobStatus.Completed;
        try
        {
            await assets.CommitIngestBatchAsync(jobId, new IngestBatch([], 0, scan.Errors), cancellationToken);
            tally.AddScanErrors(scan.Errors);
            await RunPipelineAsync(scan.Candidates, worker, duplicateIndex, jobId, tally, clock, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            status = IngestJobStatus.Cancelled;
        }
        await assets.FinishIngestJobAsync(jobId, status, CancellationToken.None);
        LogFinished(jobId, tally.Ingested, tally.Duplicates, tally.Errors.Count, elapsed.Elapsed.TotalSeconds);

        return new IngestResult
        {
            JobId = jobId,
            Collection = collection.Name,
            Status = status,
            Ingested = tally.Ingested,
            Duplicates = tally.Duplicates,
            Failed = tally.Errors.Count,
            Skipped = scan.Skipped,
            NearDuplicateLinks = tally.NearDuplicateLinks,
            BytesIngested = tally.BytesIngested,
            Elapsed = elapsed.Elapsed,
            Errors = tally.Errors,
            DuplicateFiles = tally.DuplicateFiles,
            AssetIds = tally.AssetIds,
            Stages = clock.Snapshot(),
            Recovery = recovered,
            Enrichment = enrichment is null ? null : new EnrichResult(
                tally.Enriched, tally.EnrichmentErrors.Count, tally.EnrichmentErrors, elapsed.Elapsed, enrichment.Clock.Snapshot()),
            EnrichmentError = enrichmentError,
        };
    }

    /// <summary>Opens the models for enrichment during ingest; a model that cannot be had leaves the photos to be stored alone.</summary>
    private async Task<(InlineEnrichment?, string?)> StartEnrichmentAsync(CancellationToken cancellationToken)
    {
        try
        {
            var models = await visionModels.GetAsync(cancellationToken);
            var enrichmentClock = new EnrichmentClock();
            var clip = await ClipStageAsync(cancellationToken);
            var enricher = new PhotoEnricher(models, clip, quality, enrichmentClock, inferenceOptions.Value);
            return (new InlineEnrichment(enricher, enrichmentClock, PhotoEnricher.Versions(models, clip), new PrivateThumbnails(processor, blobs)), null);
        }
        catch (Exception e) when (e is ModelUnavailableException or ModelLoadException or InvalidDataException)
        {
            return (null, $"{e.Message}; the photos are stored, run 'tsunami enrich' once the models are available");
        }
    }

    /// <summary>The installed CLIP model's stage; a broken installation leaves it out (the other stages run) with a warning.</summary>
    private async Task<ClipStage?> ClipStageAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await clipModels.StageAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or ModelLoadException)
        {
            LogClipUnavailable(e.Message);
            return null;
        }
    }

    private async Task RunPipelineAsync(
        IReadOnlyList<Candidate> candidates, PhotoWorker worker, DuplicateIndex duplicateIndex, long jobId, Tally tally,
        StageClock clock, CancellationToken cancellationToken)
    {
        var parallelism = _options.EffectiveParallelism;
        // Bounded: at most this many decoded photos wait for the writer, which bounds memory.
        var outcomes = Channel.CreateBounded<FileOutcome>(new BoundedChannelOptions(parallelism * 2)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        var producer = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(
                    candidates,
                    new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
                    async (candidate, token) => await outcomes.Writer.WriteAsync(await worker.ProcessAsync(candidate, token), token));
                outcomes.Writer.Complete();
            }
            catch (Exception e)
            {
                outcomes.Writer.Complete(e);
            }
        }, CancellationToken.None);

        var writer = new BatchWriter(assets, blobs, enrichments, jobId, duplicateIndex, tally, clock, _options, time);
        try
        {
            await writer.RunAsync(outcomes.Reader, cancellationToken);
        }
        finally
        {
            await producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovered from {Jobs} interrupted ingest job(s): deleted {Orphans} unreferenced blob(s) and {Temporary} unfinished write(s)")]
    private partial void LogRecovered(int jobs, int orphans, int temporary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The CLIP model set cannot be used, photos are enriched without it: {Reason}")]
    private partial void LogClipUnavailable(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest job {JobId} finished: {Ingested} ingested, {Duplicates} duplicates, {Failed} failed in {Seconds:0.0} s")]
    private partial void LogFinished(long jobId, int ingested, int duplicates, int failed, double seconds);
}
