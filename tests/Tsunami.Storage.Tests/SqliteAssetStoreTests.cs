using Microsoft.Data.Sqlite;
using Tsunami.Core.Assets;
using Tsunami.Core.Ingest;
using Tsunami.Core.Storage;

namespace Tsunami.Storage.Tests;

public sealed class SqliteAssetStoreTests : IDisposable
{
    private readonly StoreFixture _store = new();
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_committed_batch_is_read_back_whole()
    {
        await _store.Assets.GetOrCreateCollectionAsync("inspections", None);
        var job = await _store.Assets.StartIngestJobAsync("inspections", ["/photos"], None);
        var first = StoreFixture.NewAsset("inspections", "/photos/a.jpg", 1, new Dictionary<string, string> { ["site"] = "12" });
        var second = StoreFixture.NewAsset("inspections", "/photos/b.jpg", 2) with { NearDuplicates = [new NearDuplicate(first.Id, 3)] };

        await _store.Assets.CommitIngestBatchAsync(job, new IngestBatch([first, second], 1, [new IngestError("/photos/c.jpg", "corrupt")]), None);
        await _store.Assets.FinishIngestJobAsync(job, IngestJobStatus.Completed, None);

        var read = await _store.Assets.FindAssetAsync(first.Id.ToString(), None);
        Assert.NotNull(read);
        Assert.Equal(first.Hash, read.Hash);
        Assert.Equal("12", read.Tags["site"]);
        Assert.Equal(first.Capture.TakenAt, read.Capture.TakenAt);
        Assert.Equal(first.Capture.Location, read.Capture.Location);
        Assert.Equal("Ricoh", read.Capture.Tags["Exif IFD0/Make"]);
        Assert.Equal(first.PerceptualHash, read.PerceptualHash);
        Assert.Equal(first.Derived, read.Derived);
        Assert.Equal([new NearDuplicate(second.Id, 3)], read.NearDuplicates);

        var jobRow = await _store.Assets.GetIngestJobAsync(job, None);
        Assert.Equal((IngestJobStatus.Completed, 2, 1, 1), (jobRow!.Status, jobRow.Ingested, jobRow.Duplicates, jobRow.Failed));
        Assert.Equal([new IngestError("/photos/c.jpg", "corrupt")], await _store.Assets.ListIngestErrorsAsync(job, None));
    }

    [Fact]
    public async Task A_batch_that_breaks_a_constraint_writes_nothing()
    {
        await _store.Assets.GetOrCreateCollectionAsync("c", None);
        var job = await _store.Assets.StartIngestJobAsync("c", ["/x"], None);
        var asset = StoreFixture.NewAsset("c", "/x/a.jpg", 1);
        var sameContent = StoreFixture.NewAsset("c", "/x/b.jpg", 1);

        await Assert.ThrowsAsync<SqliteException>(() => _store.Assets.CommitIngestBatchAsync(job, new IngestBatch([asset, sameContent], 0, []), None));

        Assert.Empty(await _store.Assets.ListAssetsAsync(new AssetQuery(), None));
        Assert.Equal(0, (await _store.Assets.GetIngestJobAsync(job, None))!.Ingested);
    }

    [Fact]
    public async Task Assets_are_found_by_id_prefix_and_by_path()
    {
        await _store.Assets.GetOrCreateCollectionAsync("c", None);
        var job = await _store.Assets.StartIngestJobAsync("c", ["/x"], None);
        var asset = StoreFixture.NewAsset("c", "/x/a.jpg", 1);
        await _store.Assets.CommitIngestBatchAsync(job, new IngestBatch([asset], 0, []), None);

        Assert.Equal(asset.Id, (await _store.Assets.FindAssetAsync(asset.Id.ToString()[..10], None))?.Id);
        Assert.Equal(asset.Id, (await _store.Assets.FindAssetAsync("/x/a.jpg", None))?.Id);
        Assert.Null(await _store.Assets.FindAssetAsync("/x/none.jpg", None));
        Assert.Null(await _store.Assets.FindAssetAsync("ffffffffffff", None));
    }

    [Fact]
    public async Task Listing_pages_newest_first_and_filters_by_collection()
    {
        foreach (var name in new[] { "a", "b" })
        {
            await _store.Assets.GetOrCreateCollectionAsync(name, None);
        }
        var job = await _store.Assets.StartIngestJobAsync("a", ["/x"], None);
        var assets = Enumerable.Range(0, 5).Select(i => StoreFixture.NewAsset(i < 3 ? "a" : "b", $"/x/{i}.jpg", i)).ToList();
        await _store.Assets.CommitIngestBatchAsync(job, new IngestBatch(assets, 0, []), None);

        var page = await _store.Assets.ListAssetsAsync(new AssetQuery { Collection = "a", Limit = 2, Offset = 1 }, None);
        Assert.Equal(["/x/1.jpg", "/x/0.jpg"], page.Select(a => a.Path));

        var stats = await _store.Assets.GetStatisticsAsync(None);
        Assert.Equal(5, stats.Assets);
        Assert.Equal([("a", 3L), ("b", 2L)], stats.Collections.Select(c => (c.Name, c.Assets)));
        Assert.Equal(5000, stats.DerivedBytes);
    }

    [Fact]
    public async Task Interrupted_jobs_are_marked_once()
    {
        await _store.Assets.StartIngestJobAsync("c", ["/x"], None);
        Assert.Equal(1, await _store.Assets.MarkInterruptedJobsAsync(None));
        Assert.Equal(0, await _store.Assets.MarkInterruptedJobsAsync(None));
    }

    [Fact]
    public async Task The_database_runs_in_wal_mode_with_the_current_schema()
    {
        await _store.Assets.ListCollectionsAsync(None);
        await using var connection = new SqliteConnection($"Data Source={_store.Directory.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode; PRAGMA user_version;";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal("wal", reader.GetString(0));
        await reader.NextResultAsync();
        await reader.ReadAsync();
        Assert.Equal(5, reader.GetInt32(0));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _store.Dispose();
    }
}
