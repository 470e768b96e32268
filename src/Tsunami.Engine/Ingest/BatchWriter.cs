using System.Diagnostics;
using System.Threading.Channels;
using Tsunami.Core.Assets;
using Tsunami.Core.Ingest;
using Tsunami.Core.Storage;

namespace Tsunami.Engine.Ingest;

/// <summary>
/// The single writer: links near-duplicates, gathers outcomes into batches of up to BatchSize or
/// BatchMaxDelay, and commits each batch in one transaction. Counts are tallied only once committed.
/// </summary>
internal sealed class BatchWriter(
    IAssetStore assets, IBlobStore blobs, IEnrichmentStore enrichments, long jobId, DuplicateIndex duplicateIndex, Tally tally, StageClock clock, IngestOptions options, TimeProvider time)
{
    private readonly List<(FileOutcome Outcome, int Links)> _pending = [];

    public async Task RunAsync(ChannelReader<FileOutcome> outcomes, CancellationToken cancellationToken)
    {
        var maxDelay = TimeSpan.FromMilliseconds(options.BatchMaxDelayMilliseconds);
        try
        {
            while (await outcomes.WaitToReadAsync(cancellationToken))
            {
                var batchStarted = time.GetTimestamp();
                while (_pending.Count < options.BatchSize && time.GetElapsedTime(batchStarted) < maxDelay)
                {
                    if (outcomes.TryRead(out var outcome))
                    {
                        Accept(outcome);
                        continue;
                    }
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    wait.CancelAfter(maxDelay - time.GetElapsedTime(batchStarted));
                    try
                    {
                        if (!await outcomes.WaitToReadAsync(wait.Token))
                        {
                            break;
                        }
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }
                }
                await CommitAsync();
            }
        }
        finally
        {
            // What workers finished before a cancellation is committed, not thrown away.
            await CommitAsync();
        }
    }

    private void Accept(FileOutcome outcome)
    {
        if (outcome is FileOutcome.Stored stored)
        {
            var links = duplicateIndex.LinkAndAdd(stored.Asset.Id, stored.Asset.PerceptualHash);
            _pending.Add((stored with { Asset = stored.Asset with { NearDuplicates = links } }, links.Count));
        }
        else
        {
            _pending.Add((outcome, 0));
        }
    }

    private async Task CommitAsync()
    {
        if (_pending.Count == 0)
        {
            return;
        }
        var watch = Stopwatch.StartNew();
        var batch = new IngestBatch(
            _pending.Select(p => p.Outcome).OfType<FileOutcome.Stored>().Select(s => s.Asset).ToList(),
            _pending.Count(p => p.Outcome is FileOutcome.Duplicate),
            _pending.Select(p => p.Outcome).OfType<FileOutcome.Failed>().Select(f => f.Error).ToList());
        if (batch.Assets.Count > 0)
        {
            blobs.Flush();
        }
        await assets.CommitIngestBatchAsync(jobId, batch, CancellationToken.None);
        // Findings go in after the photos they describe; a crash between leaves them for the next 'enrich'.
        var found = _pending.Select(p => p.Outcome).OfType<FileOutcome.Stored>().Select(s => s.Enrichment).OfType<Core.Enrichment.AssetEnrichment>().ToList();
        if (found.Count > 0)
        {
            await enrichments.CommitAsync(found, CancellationToken.None);
        }
        clock.AddStore(watch.Elapsed);
        foreach (var (outcome, links) in _pending)
        {
            tally.Add(outcome, links);
        }
        _pending.Clear();
    }
}
