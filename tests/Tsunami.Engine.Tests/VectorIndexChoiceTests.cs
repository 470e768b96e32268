using Microsoft.Extensions.Options;
using Tsunami.Core.Assets;
using Tsunami.Core.Search;
using Tsunami.Engine.Ask;
using Tsunami.Engine.Deletion;
using Tsunami.TestKit;

namespace Tsunami.Engine.Tests;

/// <summary>
/// Past Vectors:HnswAbove vectors a space is searched through an HNSW index, which must answer as the exact scan
/// does and follow the store's additions and deletions without being rebuilt.
/// </summary>
public sealed class VectorIndexChoiceTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Past_the_threshold_an_hnsw_index_answers_like_the_exact_scan_and_follows_the_store()
    {
        using var harness = new IngestHarness(("Vectors:HnswAbove", "4"));
        await harness.IngestAndEnrichAsync("samples", RepositoryPaths.Sample("darknet/dog.jpg"), RepositoryPaths.Sample("darknet/horses.jpg"),
            RepositoryPaths.Sample("darknet/giraffe.jpg"), RepositoryPaths.Sample("darknet/eagle.jpg"));
        var cache = harness.Get<VectorCache>();
        using var exact = new VectorCache(Options.Create(new VectorIndexOptions { Index = "flat" }), harness.DataDirectory);

        IndexedVectors indexed;
        await using (var session = await harness.Get<ISearchIndex>().OpenAsync(None))
        {
            indexed = await cache.GetAsync(session, "visual", None);
            var scanned = await exact.GetAsync(session, "visual", None);
            Assert.Equal(("HNSW", "exact"), (indexed.Method, scanned.Method));
            Assert.Equal(4, indexed.Set.Keys.Length);
            var some = scanned.Set.Keys[1..3];
            for (var row = 0; row < scanned.Set.Keys.Length; row++)
            {
                var query = scanned.Set.Row(row).ToArray();
                foreach (var within in new[] { null, some })
                {
                    var (keys, scores) = indexed.Similarities(query, scanned.Set.Keys[row], within);
                    var expected = scanned.Similarities(query, scanned.Set.Keys[row], within);
                    Assert.Equal(expected.Keys, keys);
                    Assert.Equal(expected.Scores, scores, (a, b) => Math.Abs(a - b) < 1e-5);
                }
            }
        }

        var ask = harness.Get<AskService>();
        var dog = (await ask.AskAsync("photos of a dog", new AskOptions(), None)).Results.Single(r => r.Path.EndsWith("dog.jpg", StringComparison.Ordinal));
        var like = await ask.AskAsync($"photos like {dog.Id}", new AskOptions(), None);
        Assert.Contains(like.Notes, n => n.Contains("HNSW index", StringComparison.Ordinal));
        Assert.Equal(3, like.Results.Count);

        await harness.IngestAndEnrichAsync("samples", RepositoryPaths.Sample("darknet/person.jpg"));
        Assert.True(AssetId.TryParse(dog.Id, out var dogId));
        await harness.Get<DeletionService>().DeleteAssetsAsync([dogId], None);
        await using (var session = await harness.Get<ISearchIndex>().OpenAsync(None))
        {
            var after = await cache.GetAsync(session, "visual", None);
            Assert.Same(indexed.Index, after.Index);
            Assert.Equal(1, cache.Builds);
            Assert.Equal(4, after.Index!.Count);
            Assert.Equal(after.Set.Keys, after.Index.Entries().Select(e => e.Key).Order());
        }
        var person = (await ask.AskAsync("photos of a person", new AskOptions(), None)).Results.Single(r => r.Path.EndsWith("person.jpg", StringComparison.Ordinal));
        var likePerson = await ask.AskAsync($"photos like {person.Id}", new AskOptions(), None);
        Assert.DoesNotContain(likePerson.Results, r => r.Id == dog.Id);
        Assert.Equal(3, likePerson.Results.Count);

        // The index is on disk beside the store: while this process holds it another one keeps its own in memory;
        // after a restart it is opened, not rebuilt, and holds the store's keys.
        var options = Options.Create(new VectorIndexOptions { HnswAbove = 4 });
        await using (var session = await harness.Get<ISearchIndex>().OpenAsync(None))
        {
            using var beside = new VectorCache(options, harness.DataDirectory);
            Assert.Equal("HNSW", (await beside.GetAsync(session, "visual", None)).Method);
            Assert.Equal((1, 0), (beside.Builds, beside.Opened));
            var storeKeys = (await session.VectorsAsync("visual", None)).Keys;
            cache.Dispose();
            using var restarted = new VectorCache(options, harness.DataDirectory);
            // A server warms its spaces at start: the visual index is opened then, and the question finds it ready.
            var warmed = await restarted.WarmAsync(harness.Get<ISearchIndex>(), None);
            Assert.Contains("visual", warmed);
            Assert.Contains("semantic", warmed);
            Assert.Equal(warmed.Count, restarted.Builds + restarted.Opened);
            var (builds, opened) = (restarted.Builds, restarted.Opened);
            var reopened = await restarted.GetAsync(session, "visual", None);
            Assert.Equal((builds, opened), (restarted.Builds, restarted.Opened));
            Assert.True(opened >= 1, "the visual index was opened from disk, not rebuilt");
            Assert.Equal(storeKeys, reopened.Index!.Entries().Select(e => e.Key).Order());
            var query = reopened.Set.Row(0).ToArray();
            Assert.Equal(indexed.Similarities(query, null, null).Keys, reopened.Similarities(query, null, null).Keys);
        }
        Assert.True(File.Exists(harness.DataDirectory.Root + "/vectors/visual/index.snapshot"));
    }

    [Fact]
    public void The_choice_follows_the_options()
    {
        Assert.False(new VectorIndexOptions().WantsHnsw(49_999));
        Assert.True(new VectorIndexOptions().WantsHnsw(50_000));
        Assert.True(new VectorIndexOptions { Index = "hnsw" }.WantsHnsw(1));
        Assert.False(new VectorIndexOptions { Index = "flat" }.WantsHnsw(10_000_000));
    }
}
