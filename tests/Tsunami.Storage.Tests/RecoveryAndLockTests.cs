using Microsoft.Data.Sqlite;
using Tsunami.Core.Assets;
using Tsunami.Core.Ingest;

namespace Tsunami.Storage.Tests;

public sealed class RecoveryAndLockTests : IDisposable
{
    private readonly StoreFixture _store = new();
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task After_an_interrupted_job_unreferenced_blobs_are_deleted_and_referenced_ones_kept()
    {
        await _store.Assets.GetOrCreateCollectionAsync("c", None);
        var job = await _store.Assets.StartIngestJobAsync("c", ["/x"], None);
        var kept = StoreFixture.NewAsset("c", "/x/a.jpg", 1);
        byte[] original = BitConverter.GetBytes(1);
        await _store.Blobs.PutAsync(kept.Hash, original, None);
        await _store.Assets.CommitIngestBatchAsync(job, new IngestBatch([kept], 0, []), None);
        byte[] orphan = [5, 6, 7];
        await _store.Blobs.PutAsync(ContentHash.Of(orphan), orphan, None);
        File.WriteAllBytes(Path.Combine(_store.Directory.BlobsPath, "half.tmp-1"), [1]);
        // The job is still 'running': its process died before finishing it.

        var report = await new StoreRecovery(_store.Assets, _store.Blobs).RecoverAsync(None);

        Assert.Equal(new RecoveryReport(1, 1, 1, 0), report);
        Assert.Equal([kept.Hash], _store.Blobs.EnumerateAll());
        Assert.Equal(IngestJobStatus.Interrupted, (await _store.Assets.GetIngestJobAsync(job, None))!.Status);
    }

    [Fact]
    public async Task After_clean_jobs_recovery_touches_no_blob()
    {
        byte[] unreferenced = [1];
        await _store.Blobs.PutAsync(ContentHash.Of(unreferenced), unreferenced, None);
        var report = await new StoreRecovery(_store.Assets, _store.Blobs).RecoverAsync(None);
        Assert.Equal(new RecoveryReport(0, 0, 0, 0), report);
        Assert.Single(_store.Blobs.EnumerateAll());
    }

    [Fact]
    public void Only_one_writer_holds_a_data_folder()
    {
        using (WriterLock.Acquire(_store.Directory))
        {
            var busy = Assert.Throws<StoreBusyException>(() => WriterLock.Acquire(_store.Directory));
            Assert.Contains("another Tsunami process", busy.Message, StringComparison.Ordinal);
        }
        using var again = WriterLock.Acquire(_store.Directory);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _store.Dispose();
    }
}
