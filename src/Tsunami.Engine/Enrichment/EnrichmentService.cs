using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tsunami.Core.Assets;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Imaging;
using Tsunami.Core.Ingest;
using Tsunami.Core.Storage;
using Tsunami.Engine.Clip;
using Tsunami.Inference;
using Tsunami.Inference.Vision;
using Tsunami.Media;
using Tsunami.Media.Analysis;
using Tsunami.Media.Decoding;
using Tsunami.Storage;

namespace Tsunami.Engine.Enrichment;

/// <param name="Collection">Only this collection; null for all.</param>
/// <param name="Stages">Stages to run; empty for all.</param>
/// <param name="Force">Run the stages again even where their current version already ran.</param>
public sealed record EnrichRequest(string? Collection, IReadOnlyList<string> Stages, bool Force);

public sealed record EnrichProgress(int Done, int Total);

public sealed record EnrichResult(int Enriched, int Failed, IReadOnlyList<IngestError> Errors, TimeSpan Elapsed, IReadOnlyDictionary<string, TimeSpan> StageTimes);

/// <summary>
/// Runs the vision stages over stored photos whose results are missing or from another model version, batch by
/// batch, each batch committed in one transaction: a killed run resumes where it stopped.
/// </summary>
public sealed partial class EnrichmentService(
    IAssetStore assets,
    IEnrichmentStore enrichments,
    IBlobStore blobs,
    DataDirectory dataDirectory,
    PhotoProcessor processor,
    QualityAnalyzer quality,
    VisionModels visionModels,
    ClipModels clipModels,
    IOptions<InferenceOptions> inferenceOptions,
    ILogger<EnrichmentService> logger)
{
    public async Task<EnrichResult> EnrichAsync(EnrichRequest request, IProgress<EnrichProgress>? progress, CancellationToken cancellationToken)
    {
        var unknown = request.Stages.FirstOrDefault(name => EnrichmentStage.Resolve(name) is null);
        if (unknown is not null)
        {
            throw new ArgumentException($"unknown stage '{unknown}'; the stages are {string.Join(", ", EnrichmentStage.All)} (ocr: text)");
        }
        var asked = request.Stages.Select(name => EnrichmentStage.Resolve(name)!).Distinct().ToList();
        var elapsed = Stopwatch.StartNew();
        using var writerLock = WriterLock.Acquire(dataDirectory);
        var models = await visionModels.GetAsync(cancellationToken);
        var stages = asked.Count > 0 ? asked : EnrichmentStage.All;
        var clip = stages.Contains(EnrichmentStage.Clip) ? await ClipStageAsync(asked.Contains(EnrichmentStage.Clip), cancellationToken) : null;
        var versions = PhotoEnricher.Versions(models, clip).Where(v => stages.Contains(v.Key)).ToDictionary();
        var pending = await enrichments.ListPendingAsync(request.Collection, versions, request.Force, cancellationToken);

        var clock = new EnrichmentClock();
        var enricher = new PhotoEnricher(models, clip, quality, clock, inferenceOptions.Value);
        var errors = new List<IngestError>();
        var enriched = 0;
        // One batch per core at a time, each start to finish on its thread: no barrier where one text-heavy photo
        // holds the other core idle (a shared per-batch barrier left a third of the CPU unused, bench enrich).
        var batches = Channel.CreateBounded<List<AssetEnrichment>>(new BoundedChannelOptions(Environment.ProcessorCount) { SingleReader = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(
                    pending.Chunk(inferenceOptions.Value.BatchSize),
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
                    async (chunk, token) =>
                    {
                        var (inputs, failures) = await DecodeAsync(chunk, enricher.Views, clock, token);
                        IReadOnlyList<AssetEnrichment> results;
                        try
                        {
                            results = await enricher.EnrichAsync(inputs, versions, token);
                        }
                        finally
                        {
                            inputs.ForEach(input => input.Views.Dispose());
                        }
                        results = await WithPrivateThumbnailsAsync(results, chunk, token);
                        await batches.Writer.WriteAsync([.. results, .. failures], token);
                    });
                batches.Writer.Complete();
            }
            catch (Exception e)
            {
                batches.Writer.Complete(e);
            }
        }, CancellationToken.None);

        await foreach (var results in batches.Reader.ReadAllAsync(cancellationToken))
        {
            blobs.Flush();
            await enrichments.CommitAsync(results, CancellationToken.None);
            foreach (var result in results)
            {
                if (result.Errors.Count == 0)
                {
                    enriched++;
                }
                else
                {
                    var asset = await assets.FindAssetAsync(result.Asset.ToString(), cancellationToken);
                    errors.Add(new IngestError(asset?.Path ?? result.Asset.ToString(), string.Join("; ", result.Errors.Values.Distinct())));
                }
            }
            progress?.Report(new EnrichProgress(enriched + errors.Count, pending.Count));
        }
        await producer;
        return new EnrichResult(enriched, errors.Count, errors, elapsed.Elapsed, clock.Snapshot());
    }

    /// <summary>
    /// The installed CLIP set's stage. Asked for by name, a missing or broken set is an error; among all the stages, it
    /// is left out with a warning, so that the other stages still run.
    /// </summary>
    private async Task<ClipStage?> ClipStageAsync(bool required, CancellationToken cancellationToken)
    {
        try
        {
            return await clipModels.StageAsync(cancellationToken)
                ?? (required ? throw new ArgumentException("the clip stage needs a CLIP model set: install one with 'tsunami models pull NAME' or 'tsunami models add FOLDER'") : null);
        }
        catch (Exception e) when (!required && e is InvalidDataException or Inference.Onnx.ModelLoadException)
        {
            LogClipUnavailable(e.Message);
            return null;
        }
    }

    private async Task<IReadOnlyList<AssetEnrichment>> WithPrivateThumbnailsAsync(
        IReadOnlyList<AssetEnrichment> results, EnrichmentWork[] chunk, CancellationToken cancellationToken)
    {
        var privateThumbnails = new PrivateThumbnails(processor, blobs);
        var completed = new List<AssetEnrichment>(results.Count);
        foreach (var result in results)
        {
            if (result.Faces is not { Count: > 0 })
            {
                completed.Add(result);
                continue;
            }
            var work = chunk.First(w => w.Asset == result.Asset);
            await using var stream = blobs.OpenRead(work.Thumbnail);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            completed.Add(await privateThumbnails.AddAsync(result, buffer.ToArray(), work.Width, cancellationToken));
        }
        return completed;
    }

    private async Task<(List<EnrichmentInput> Inputs, List<AssetEnrichment> Failures)> DecodeAsync(
        EnrichmentWork[] chunk, IReadOnlyList<ViewSize> views, EnrichmentClock clock, CancellationToken cancellationToken)
    {
        var inputs = new List<EnrichmentInput>(chunk.Length);
        var failures = new List<AssetEnrichment>();
        foreach (var work in chunk)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                await using var stream = blobs.OpenRead(work.Preview);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, cancellationToken);
                inputs.Add(new EnrichmentInput(work, processor.OpenViews(buffer.ToArray(), views)));
            }
            catch (Exception e) when (e is MediaException or IOException)
            {
                var reason = $"cannot read the stored preview: {e.Message}";
                failures.Add(new AssetEnrichment(work.Asset)
                {
                    Versions = work.Stages.ToDictionary(s => s, _ => "unread"),
                    Errors = work.Stages.ToDictionary(s => s, _ => reason),
                });
            }
            catch
            {
                // Cancelled halfway: the pixels decoded so far are handed to nobody.
                inputs.ForEach(input => input.Views.Dispose());
                throw;
            }
            clock.Add("decode", watch.Elapsed);
        }
        return (inputs, failures);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The CLIP model set cannot be used, photos are enriched without it: {Reason}")]
    private partial void LogClipUnavailable(string reason);
}
