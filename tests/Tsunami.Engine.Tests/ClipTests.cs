using Microsoft.Extensions.AI;
using NetVips;
using Tsunami.Core.Enrichment;
using Tsunami.Engine.Ask;
using Tsunami.Engine.Clip;
using Tsunami.Serving.Runtime;
using Layout = Tsunami.TestKit.ClipTestModels.Layout;

namespace Tsunami.Engine.Tests;

/// <summary>
/// CLIP model sets in each published layout, generated with known weights (ClipTestModels): loading, preprocessing
/// numerics, batching through the serving runtime, the clip stage, zero-shot labels, search, and every broken set.
/// </summary>
public sealed class ClipTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static byte[] Solid(int width, int height, byte red, byte green, byte blue)
    {
        using var black = Image.Black(width, height, bands: 3);
        using var coloured = (black + new double[] { red, green, blue }).Cast(Enums.BandFormat.Uchar);
        using var srgb = coloured.Copy(interpretation: Enums.Interpretation.Srgb);
        return srgb.PngsaveBuffer(compression: 1);
    }

    private static void AssertClose(float[] expected, ReadOnlyMemory<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual.Span[i]) < 1e-4, $"[{i}]: expected {expected[i]}, got {actual.Span[i]}");
        }
    }

    private static IngestHarness WithClip(Layout layout, params (string, string)[] settings)
    {
        var harness = new IngestHarness(settings);
        var source = ClipTestModels.Write(harness.Temp.Combine($"source-{layout}"), layout);
        harness.Get<ClipInstallation>().Add(source, "test-clip");
        return harness;
    }

    [Theory]
    [InlineData(Layout.Immich)]
    [InlineData(Layout.HuggingFace)]
    [InlineData(Layout.HuggingFaceCombined)]
    public async Task Each_published_layout_embeds_photos_and_texts_as_its_weights_say(Layout layout)
    {
        using var harness = WithClip(layout);
        var images = harness.Get<IEmbeddingGenerator<DataContent, Embedding<float>>>();
        var texts = harness.Get<IEmbeddingGenerator<string, Embedding<float>>>();

        var photos = await images.GenerateAsync([new DataContent(Solid(64, 48, 255, 0, 0), "image/png"), new DataContent(Solid(40, 90, 0, 0, 255), "image/png")]);
        var words = await texts.GenerateAsync(["a photo of red", "blue and green", "a thing"]);

        AssertClose(ClipTestModels.Unit(ClipTestModels.ImageOf(255, 0, 0)), photos[0].Vector);
        AssertClose(ClipTestModels.Unit(ClipTestModels.ImageOf(0, 0, 255)), photos[1].Vector);
        AssertClose(ClipTestModels.Unit(ClipTestModels.TextOf("red")), words[0].Vector);
        AssertClose(ClipTestModels.Unit(ClipTestModels.TextOf("blue", "green")), words[1].Vector);
        AssertClose(ClipTestModels.Unit(ClipTestModels.TextOf()), words[2].Vector);
        Assert.Equal("test-clip", photos[0].ModelId);
        var metadata = (EmbeddingGeneratorMetadata)texts.GetService(typeof(EmbeddingGeneratorMetadata))!;
        Assert.Equal((4, "test-clip"), (metadata.DefaultModelDimensions, metadata.DefaultModelId));
    }

    [Fact]
    public async Task The_centre_crop_and_normalisation_match_an_independent_computation()
    {
        using var harness = WithClip(Layout.HuggingFace);
        // 48 × 32: the shorter side is the model's 32 already, so no resampling; the centre 32 columns are red and
        // 8 green columns on each side must be cropped away.
        using var red = Image.Black(32, 32, bands: 3) + new double[] { 200, 40, 10 };
        using var green = Image.Black(8, 32, bands: 3) + new double[] { 0, 255, 0 };
        using var joined = green.Join(red, Enums.Direction.Horizontal).Join(green, Enums.Direction.Horizontal).Cast(Enums.BandFormat.Uchar);
        using var photo = joined.Copy(interpretation: Enums.Interpretation.Srgb);
        var images = harness.Get<IEmbeddingGenerator<DataContent, Embedding<float>>>();

        var embedded = await images.GenerateAsync([new DataContent(photo.PngsaveBuffer(), "image/png")]);

        AssertClose(ClipTestModels.Unit(ClipTestModels.ImageOf(200, 40, 10)), embedded[0].Vector);
    }

    [Fact]
    public async Task Concurrent_photos_are_merged_into_batches_by_the_served_model()
    {
        using var harness = WithClip(Layout.Immich);
        var model = (await harness.Get<ClipModels>().GetAsync(None))!;
        var served = harness.Get<ModelRuntime>().Get(ClipServedModels.Visual);
        var before = served.Executions;
        var views = Enumerable.Range(0, 24).Select(i => new Core.Imaging.RgbImage(32, 32, Enumerable.Repeat((byte)(i * 10), 32 * 32 * 3).ToArray())).ToList();

        var together = await model.EmbedImagesAsync(views, None);

        Assert.True(served.Executions - before < 24, $"{served.Executions - before} executions for 24 photos: nothing was merged");
        for (var i = 0; i < views.Count; i += 7)
        {
            AssertClose(together[i], (await model.EmbedImagesAsync([views[i]], None))[0]);
        }
    }

    [Fact]
    public async Task Ingest_stores_the_vector_and_zero_shot_labels_and_ask_ranks_by_the_model()
    {
        using var harness = WithClip(Layout.HuggingFace, ("Clip:ZeroShotLabels:0", "red"), ("Clip:ZeroShotLabels:1", "blue"));
        var folder = Directory.CreateDirectory(harness.Temp.Combine("colours")).FullName;
        File.WriteAllBytes(Path.Combine(folder, "red.png"), Solid(96, 64, 230, 20, 20));
        File.WriteAllBytes(Path.Combine(folder, "green.png"), Solid(96, 64, 20, 230, 20));
        File.WriteAllBytes(Path.Combine(folder, "blue.png"), Solid(96, 64, 20, 20, 230));

        var ingested = await harness.IngestAndEnrichAsync("colours", folder);

        Assert.Equal(0, ingested.Failed);
        Assert.Null(ingested.EnrichmentError);
        var red = await harness.Assets.FindAssetAsync(Path.Combine(folder, "red.png"), None);
        var found = await harness.Enrichments.GetAsync(red!.Id, None);
        AssertClose(ClipTestModels.Unit(ClipTestModels.ImageOf(230, 20, 20)), found.Clip);
        Assert.Equal(["red"], found.ZeroShot!.Select(z => z.Label));
        Assert.StartsWith("1/test-clip:", found.Versions[EnrichmentStage.Clip], StringComparison.Ordinal);

        var ask = harness.Get<AskService>();
        var byLabel = await ask.AskAsync("photos with red", new AskOptions(), None);
        Assert.Equal(["red.png"], byLabel.Results.Select(r => Path.GetFileName(r.Path)));
        var byMeaning = await ask.AskAsync("green", new AskOptions(), None);
        Assert.Equal("green.png", Path.GetFileName(byMeaning.Results[0].Path));
        Assert.Contains(byMeaning.Results[0].Evidence, e => e.Kind == "clip");
        Assert.Contains(byMeaning.Notes, n => n.Contains("CLIP test-clip", StringComparison.Ordinal));

        var darkRed = harness.Temp.Combine("dark-red.png");
        File.WriteAllBytes(darkRed, Solid(50, 50, 150, 0, 0));
        var likeFile = await ask.SimilarAsync(darkRed, new AskOptions(), None);
        Assert.Equal("red.png", Path.GetFileName(likeFile.Results[0].Path));
        Assert.Contains(likeFile.Results[0].Evidence, e => e.What.EndsWith("(CLIP)", StringComparison.Ordinal));
        var likeStored = await ask.SimilarAsync(red.Id.ToString(), new AskOptions(), None);
        Assert.DoesNotContain(likeStored.Results, r => r.Id == red.Id.ToString());
    }

    [Fact]
    public async Task The_clip_stage_runs_over_stored_photos_once_installed_and_only_then()
    {
        using var harness = new IngestHarness();
        var folder = Directory.CreateDirectory(harness.Temp.Combine("colours")).FullName;
        File.WriteAllBytes(Path.Combine(folder, "red.png"), Solid(96, 64, 230, 20, 20));
        File.WriteAllBytes(Path.Combine(folder, "blue.png"), Solid(96, 64, 20, 20, 230));
        await harness.IngestAsync("colours", folder);
        var missing = await Assert.ThrowsAsync<ArgumentException>(() => harness.EnrichAsync(stages: EnrichmentStage.Clip));
        Assert.Contains("the clip stage needs a CLIP model set", missing.Message, StringComparison.Ordinal);

        harness.Get<ClipInstallation>().Add(ClipTestModels.Write(harness.Temp.Combine("set"), Layout.Immich), "test-clip");
        var first = await harness.EnrichAsync(stages: EnrichmentStage.Clip);
        var again = await harness.EnrichAsync(stages: EnrichmentStage.Clip);

        Assert.Equal((2, 0), (first.Enriched, first.Failed));
        Assert.Equal(0, again.Enriched);
        var blue = await harness.Assets.FindAssetAsync(Path.Combine(folder, "blue.png"), None);
        AssertClose(ClipTestModels.Unit(ClipTestModels.ImageOf(20, 20, 230)), (await harness.Enrichments.GetAsync(blue!.Id, None)).Clip);
    }

    [Fact]
    public void Folders_that_are_no_CLIP_model_set_are_refused_with_what_is_wrong()
    {
        using var harness = new IngestHarness();
        var installation = harness.Get<ClipInstallation>();
        var empty = Directory.CreateDirectory(harness.Temp.Combine("empty")).FullName;
        Assert.Contains("no CLIP model found: expected visual/model.onnx and textual/model.onnx", Assert.Throws<InvalidDataException>(() => installation.Add(empty)).Message, StringComparison.Ordinal);

        var noTokenizer = ClipTestModels.Write(harness.Temp.Combine("no-tokenizer"), Layout.Immich);
        File.Delete(Path.Combine(noTokenizer, "textual", "tokenizer.json"));
        Assert.Contains("no tokenizer: expected", Assert.Throws<InvalidDataException>(() => installation.Add(noTokenizer)).Message, StringComparison.Ordinal);

        var noPreprocessor = ClipTestModels.Write(harness.Temp.Combine("no-preprocessor"), Layout.HuggingFace);
        File.Delete(Path.Combine(noPreprocessor, "preprocessor_config.json"));
        Assert.Contains("preprocessor_config.json is missing", Assert.Throws<InvalidDataException>(() => installation.Add(noPreprocessor)).Message, StringComparison.Ordinal);

        var bilinear = ClipTestModels.Write(harness.Temp.Combine("bilinear"), Layout.Immich);
        var preprocess = Path.Combine(bilinear, "visual", "preprocess_cfg.json");
        File.WriteAllText(preprocess, File.ReadAllText(preprocess).Replace("bicubic", "bilinear", StringComparison.Ordinal));
        Assert.Contains("interpolation \"bilinear\" is not supported", Assert.Throws<InvalidDataException>(() => installation.Add(bilinear)).Message, StringComparison.Ordinal);

        var badConfig = ClipTestModels.Write(harness.Temp.Combine("bad-config"), Layout.Immich);
        File.WriteAllText(Path.Combine(badConfig, "config.json"), """{ "text_cfg": { "context_length": "seventy-seven" } }""");
        Assert.Contains("a configuration value has the wrong type", Assert.Throws<InvalidDataException>(() => installation.Add(badConfig)).Message, StringComparison.Ordinal);

        var otherVocabulary = ClipTestModels.Write(harness.Temp.Combine("other-vocabulary"), Layout.HuggingFace, declaredVocabulary: 1000);
        Assert.Contains("the tokenizer has 49408 tokens but the model's configuration declares a vocabulary of 1000",
            Assert.Throws<InvalidDataException>(() => installation.Add(otherVocabulary)).Message, StringComparison.Ordinal);
        Assert.Empty(installation.Installed());
    }

    [Fact]
    public async Task Towers_of_different_spaces_are_refused_when_the_set_is_opened()
    {
        using var harness = new IngestHarness();
        harness.Get<ClipInstallation>().Add(ClipTestModels.Write(harness.Temp.Combine("set"), Layout.HuggingFace, textDimension: 5), "mismatched");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => harness.Get<ClipModels>().GetAsync(None));
        Assert.Contains("the image tower gives vectors of 4 and the text tower of 5", error.Message, StringComparison.Ordinal);

        // Asked for by name the broken set is an error; among all the stages it is left out and the others run.
        await harness.IngestAsync("c", RepositoryPaths.Sample("darknet/dog.jpg"));
        await Assert.ThrowsAsync<InvalidDataException>(() => harness.EnrichAsync(stages: EnrichmentStage.Clip));
        var all = await harness.EnrichAsync();
        Assert.Equal((1, 0), (all.Enriched, all.Failed));
        var dog = await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("darknet/dog.jpg"), None);
        var found = await harness.Enrichments.GetAsync(dog!.Id, None);
        Assert.DoesNotContain(EnrichmentStage.Clip, found.Versions.Keys);
        Assert.Contains(found.Objects!, o => o.Label == "dog");
    }

    [Fact]
    public async Task A_tower_with_the_wrong_inputs_is_refused_naming_what_was_expected_and_found()
    {
        using var harness = new IngestHarness();
        var set = ClipTestModels.Write(harness.Temp.Combine("set"), Layout.HuggingFace);
        File.Copy(Path.Combine(set, "text_model.onnx"), Path.Combine(set, "vision_model.onnx"), overwrite: true);
        harness.Get<ClipInstallation>().Add(set, "swapped");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => harness.Get<ClipModels>().GetAsync(None));

        Assert.Contains("expected an image input of type FP32 and shape [N,3,32,32]; the model has inputs input_ids: INT64[-1,77]", error.Message, StringComparison.Ordinal);
    }
}
