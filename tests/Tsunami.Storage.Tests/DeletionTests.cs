using Microsoft.Data.Sqlite;
using Tsunami.Core.Assets;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Ingest;
using Tsunami.Storage.Sqlite;

namespace Tsunami.Storage.Tests;

/// <summary>Deleting assets and collections: every row and search entry goes, blobs only when nothing else uses them.</summary>
public sealed class DeletionTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly string[] AssetTables =
        ["asset_tags", "derived_files", "near_duplicates", "enrichment_stages", "objects", "faces", "labels", "concepts", "quality", "text_lines", "vectors"];

    private readonly StoreFixture _store = new();
    private readonly StoreRecovery _recovery;
    private readonly SqliteDatabase _database;

    public DeletionTests()
    {
        _recovery = new StoreRecovery(_store.Assets, _store.Blobs);
        _database = new SqliteDatabase(_store.Directory);
    }

    [Fact]
    public async Task Deleting_an_asset_removes_its_rows_search_entries_and_the_blobs_only_it_used()
    {
        var gone = await AddAsync("yard", "/p/a.jpg", 1, "truck", "HIGH VOLTAGE");
        var kept = await AddAsync("yard", "/p/b.jpg", 2, "person", "EXIT");
        // The same photo in another collection shares the original's blob.
        var twin = await AddAsync("office", "/q/a.jpg", 1, "truck", null, thumbnailSeed: 9);
        await using (var session = await new SqliteSearchIndex(_database).OpenAsync(None))
        {
            Assert.Equal(2, (await session.VocabularyAsync("object:truck", None))["object:truck"]);
        }
        var generation = await VectorGenerationAsync();

        Assert.Equal(1, await _store.Assets.DeleteAssetsAsync([gone.Id, AssetId.New()], None));

        foreach (var table in AssetTables)
        {
            Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM {table} WHERE asset_id = '{gone.Id}';"));
        }
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM near_duplicates WHERE other_id = '{gone.Id}';"));
        Assert.Null(await _store.Assets.FindAssetAsync(gone.Id.ToString(), None));
        Assert.NotNull(await _store.Assets.FindAssetAsync(kept.Id.ToString(), None));
        Assert.True(await VectorGenerationAsync() > generation);
        await using (var session = await new SqliteSearchIndex(_database).OpenAsync(None))
        {
            Assert.Equal(1, (await session.VocabularyAsync("object:truck", None))["object:truck"]);
            Assert.Empty(await session.MatchTextAsync("\"voltage\"", trigrams: false, 10, None));
            Assert.Single(await session.MatchTextAsync("\"exit\"", trigrams: false, 10, None));
            Assert.Equal(2, (await session.AllAsync(None)).Length);
        }
        // The thumbnail was the deleted asset's alone; the original is shared with its twin.
        Assert.Equal([gone.Derived[0].Hash], await _store.Assets.ListBlobsToDeleteAsync(None));
        Assert.Equal(1, await _recovery.DeleteQueuedBlobsAsync(None));
        Assert.False(_store.Blobs.Exists(gone.Derived[0].Hash));
        Assert.True(_store.Blobs.Exists(twin.Hash));
        Assert.True(_store.Blobs.Exists(kept.Hash));
        Assert.Empty(await _store.Assets.ListBlobsToDeleteAsync(None));
    }

    [Fact]
    public async Task Deleting_a_collection_removes_its_assets_and_its_name_and_keeps_the_others()
    {
        var first = await AddAsync("yard", "/p/a.jpg", 1, "truck", null);
        var second = await AddAsync("yard", "/p/b.jpg", 2, "truck", null);
        var other = await AddAsync("office", "/q/c.jpg", 3, "person", null);

        Assert.Equal(2, await _store.Assets.DeleteCollectionAsync("yard", None));
        Assert.Null(await _store.Assets.DeleteCollectionAsync("yard", None));
        Assert.Equal(["office"], (await _store.Assets.ListCollectionsAsync(None)).Select(c => c.Name));
        Assert.Equal(4, await _recovery.DeleteQueuedBlobsAsync(None));
        Assert.Equal(new[] { other.Hash.Hex, other.Derived[0].Hash.Hex }.Order(), _store.Blobs.EnumerateAll().Select(h => h.Hex).Order());
        Assert.DoesNotContain(first.Hash, _store.Blobs.EnumerateAll());
        Assert.DoesNotContain(second.Derived[0].Hash, _store.Blobs.EnumerateAll());
        await using var session = await new SqliteSearchIndex(_database).OpenAsync(None);
        Assert.Empty(await session.VocabularyAsync("collection:yard", None));
        Assert.Empty(await session.VocabularyAsync("object:truck", None));
    }

    [Fact]
    public async Task A_crash_after_the_rows_went_leaves_a_queue_that_recovery_finishes()
    {
        var gone = await AddAsync("yard", "/p/a.jpg", 1, null, null);
        var again = await AddAsync("yard", "/p/b.jpg", 2, null, null);
        await _store.Assets.DeleteAssetsAsync([gone.Id, again.Id], None);
        // The process died here, before the blobs left the disk; then the second photo was ingested again.
        await AddAsync("yard", "/p/b.jpg", 2, null, null);

        var report = await _recovery.RecoverAsync(None);

        Assert.Equal(2, report.DeletedBlobs);
        Assert.False(_store.Blobs.Exists(gone.Hash));
        Assert.True(_store.Blobs.Exists(again.Hash));
        Assert.Empty(await _store.Assets.ListBlobsToDeleteAsync(None));
    }

    private async Task<Asset> AddAsync(string collection, string path, int seed, string? thing, string? text, int? thumbnailSeed = null)
    {
        await _store.Assets.GetOrCreateCollectionAsync(collection, None);
        var job = await _store.Assets.StartIngestJobAsync(collection, [path], None);
        byte[] thumbnail = [(byte)(thumbnailSeed ?? seed), 1];
        var asset = StoreFixture.NewAsset(collection, path, seed, new Dictionary<string, string> { ["site"] = "12" }) with
        {
            Derived = [new DerivedFile(DerivedKind.Thumbnail, ContentHash.Of(thumbnail), "image/webp", 256, 192, thumbnail.Length)],
        };
        await _store.Blobs.PutAsync(asset.Hash, BitConverter.GetBytes(seed), None);
        await _store.Blobs.PutAsync(asset.Derived[0].Hash, thumbnail, None);
        await _store.Assets.CommitIngestBatchAsync(job, new IngestBatch([asset], 0, []), None);
        var box = new Box(1, 2, 3, 4);
        await new SqliteEnrichmentStore(_database, TimeProvider.System).CommitAsync([new AssetEnrichment(asset.Id)
        {
            Versions = new Dictionary<string, string> { ["objects"] = "1", ["labels"] = "1", ["text"] = "1", ["quality"] = "1", ["embedding"] = "1" },
            Objects = thing is null ? [] : [new DetectedObject(thing, 0.9f, box)],
            Labels = [new ImageLabel("pickup", 0.8f, "n03930630")],
            Concepts = [new Concept("vehicle", "n04524313", 0.8f)],
            Text = text is null ? [] : [new TextLine(text, 0.95f, [0, 0, 10, 0, 10, 5, 0, 5])],
            Quality = new QualityReport(1, 100, 0, 0, 2, ["blurry"]),
            Embedding = [0.6f, 0.8f],
        }], None);
        return asset;
    }

    private async Task<long> VectorGenerationAsync()
    {
        await using var session = await new SqliteSearchIndex(_database).OpenAsync(None);
        return await session.VectorGenerationAsync("visual", None);
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = await _database.OpenAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(None);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _store.Dispose();
    }
}
