using Tsunami.Core.Assets;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Ingest;
using Tsunami.Storage.Sqlite;

namespace Tsunami.Storage.Tests;

/// <summary>The search tables follow every write through their triggers: added, replaced, gone.</summary>
public sealed class SearchIndexTests : IDisposable
{
    private readonly StoreFixture _store = new();
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Terms_counts_and_ocr_text_follow_enrichment_replacements()
    {
        await _store.Assets.GetOrCreateCollectionAsync("Yard", None);
        var job = await _store.Assets.StartIngestJobAsync("Yard", ["/p"], None);
        var asset = StoreFixture.NewAsset("Yard", "/p/a.jpg", 1, new Dictionary<string, string> { ["Site"] = "12" });
        await _store.Assets.CommitIngestBatchAsync(job, new IngestBatch([asset], 0, []), None);
        var database = new SqliteDatabase(_store.Directory);
        var enrichments = new SqliteEnrichmentStore(database, TimeProvider.System);
        var index = new SqliteSearchIndex(database);
        var box = new Box(1, 2, 3, 4);
        await enrichments.CommitAsync([new AssetEnrichment(asset.Id)
        {
            Versions = new Dictionary<string, string> { ["objects"] = "1", ["text"] = "1", ["quality"] = "1" },
            Objects = [new DetectedObject("person", 0.9f, box), new DetectedObject("person", 0.6f, box), new DetectedObject("truck", 0.7f, box)],
            Text = [new TextLine("HIGH VOLTAGE 42", 0.95f, [0, 0, 10, 0, 10, 5, 0, 5])],
            Quality = new QualityReport(1, 100, 0, 0, 2, ["blurry"]),
        }], None);

        await using (var session = await index.OpenAsync(None))
        {
            var people = await session.TermAsync("object:person", None);
            Assert.Equal((2, 0.9f), (people.Counts.Single(), people.Scores.Single()));
            Assert.Single((await session.TermAsync("tag:site=12", None)).Keys);
            Assert.Single((await session.TermAsync("collection:yard", None)).Keys);
            Assert.Single((await session.TermAsync("quality:blurry", None)).Keys);
            Assert.Equal("HIGH VOLTAGE 42", (await session.MatchTextAsync("\"voltage\"", trigrams: false, 10, None)).Single().Text);
            Assert.Single(await session.MatchTextAsync("\"OLT\"", trigrams: true, 10, None));
            Assert.Equal(1, (await session.VocabularyAsync("object:truck", None))["object:truck"]);
        }

        await enrichments.CommitAsync([new AssetEnrichment(asset.Id)
        {
            Versions = new Dictionary<string, string> { ["objects"] = "2", ["text"] = "2", ["quality"] = "2" },
            Objects = [new DetectedObject("person", 0.5f, box)],
            Text = [],
            Quality = new QualityReport(300, 100, 0, 0, 2, []),
        }], None);

        await using (var session = await index.OpenAsync(None))
        {
            Assert.Equal(1, (await session.TermAsync("object:person", None)).Counts.Single());
            Assert.Empty((await session.TermAsync("object:truck", None)).Keys);
            Assert.Empty(await session.VocabularyAsync("object:truck", None));
            Assert.Empty((await session.TermAsync("quality:blurry", None)).Keys);
            Assert.Empty(await session.MatchTextAsync("\"voltage\"", trigrams: false, 10, None));
            await Assert.ThrowsAsync<KeyNotFoundException>(() => session.KeyOfAsync(AssetId.New(), None));
            Assert.Equal((await session.AllAsync(None)).Single(), await session.KeyOfAsync(asset.Id, None));
        }
    }

    public void Dispose() => _store.Dispose();
}
