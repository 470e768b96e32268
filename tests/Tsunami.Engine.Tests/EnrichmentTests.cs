using NetVips;
using Tsunami.TestKit;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Imaging;
using Tsunami.Engine.Enrichment;
using Tsunami.Inference;

namespace Tsunami.Engine.Tests;

public sealed class EnrichmentTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_darknet_photos_are_enriched_with_objects_labels_concepts_faces_and_quality()
    {
        using var harness = new IngestHarness();
        await harness.IngestAsync("c", Path.Combine(RepositoryPaths.Samples, "darknet"));

        var result = await harness.EnrichAsync();

        Assert.Equal((6, 0), (result.Enriched, result.Failed));
        var dog = await harness.Enrichments.GetAsync((await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("darknet/dog.jpg"), None))!.Id, None);
        Assert.Contains(dog.Objects!, o => o.Label == "dog");
        Assert.Contains(dog.Objects!, o => o.Label == "bicycle");
        Assert.All(dog.Objects!, o => Assert.InRange(o.Box.X + o.Box.Width, 0, 768 * 1.05));
        Assert.Equal("malamute", dog.Labels![0].Name);
        Assert.Contains(dog.Concepts!, c => c.Name == "dog");
        Assert.Contains(dog.Concepts!, c => c.Name == "animal");
        Assert.Empty(dog.Faces!);
        Assert.NotNull(dog.Quality);
        Assert.Equal(1000, dog.Embedding!.Length);
        Assert.Equal(EnrichmentStage.All.Where(s => s != EnrichmentStage.Clip).Order(), dog.Versions.Keys.Order()); // no CLIP model installed

        var horses = await harness.Enrichments.GetAsync((await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("darknet/horses.jpg"), None))!.Id, None);
        Assert.InRange(horses.Objects!.Count(o => o.Label == "horse"), 3, 6);
    }

    [Fact]
    public async Task Only_missing_or_outdated_stages_run_again()
    {
        using var harness = new IngestHarness();
        await harness.IngestAsync("c", RepositoryPaths.Sample("darknet/eagle.jpg"), RepositoryPaths.Sample("skimage/coffee.png"));
        Assert.Equal(2, (await harness.EnrichAsync(stages: EnrichmentStage.Quality)).Enriched);

        var rest = await harness.EnrichAsync();
        var nothing = await harness.EnrichAsync();
        var forced = await harness.EnrichAsync(force: true, stages: EnrichmentStage.Labels);

        Assert.Equal(2, rest.Enriched);
        Assert.False(rest.StageTimes.ContainsKey(EnrichmentStage.Quality));
        Assert.Equal(0, nothing.Enriched);
        Assert.Equal(2, forced.Enriched);
        // The objects are found again for the semantic vector, not stored again.
        Assert.Equal([EnrichmentStage.Objects, EnrichmentStage.Labels, "decode"], forced.StageTimes.Keys.Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public async Task Labels_run_alone_keep_the_objects_words_in_the_semantic_vector_and_the_objects_as_they_were()
    {
        using var harness = new IngestHarness();
        await harness.IngestAsync("c", RepositoryPaths.Sample("darknet/dog.jpg"));
        await harness.EnrichAsync();
        var dog = (await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("darknet/dog.jpg"), None))!.Id;
        var before = await harness.Enrichments.GetAsync(dog, None);

        await harness.EnrichAsync(force: true, stages: EnrichmentStage.Labels);

        var after = await harness.Enrichments.GetAsync(dog, None);
        Assert.Equal(before.Semantic!, after.Semantic!, (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.Equal(before.Objects!.Select(o => (o.Label, o.Score)), after.Objects!.Select(o => (o.Label, o.Score)));
    }

    [Fact]
    public async Task A_photo_whose_preview_cannot_be_read_is_recorded_and_the_rest_go_on()
    {
        using var harness = new IngestHarness();
        await harness.IngestAsync("c", RepositoryPaths.Sample("darknet/kite.jpg"), RepositoryPaths.Sample("darknet/giraffe.jpg"));
        var kite = (await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("darknet/kite.jpg"), None))!;
        var preview = kite.Derived.Single(d => d.Kind == Core.Assets.DerivedKind.Preview).Hash;
        var path = Path.Combine(harness.DataDirectory.BlobsPath, preview.Hex[..2], preview.Hex[2..4], preview.Hex);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..2000]);

        var result = await harness.EnrichAsync();

        Assert.Equal((1, 1), (result.Enriched, result.Failed));
        Assert.Equal(kite.Path, result.Errors[0].Path);
        Assert.StartsWith("cannot read the stored preview: truncated jpeg", result.Errors[0].Reason, StringComparison.Ordinal);
        var stored = await harness.Enrichments.GetAsync(kite.Id, None);
        Assert.Null(stored.Objects);
        Assert.NotEmpty(stored.Errors);
    }

    [Fact]
    public async Task Blurry_dark_and_overexposed_photos_are_flagged_and_the_original_is_not()
    {
        using var harness = new IngestHarness();
        var folder = harness.Temp.Folder("qc");
        using (var photo = Image.NewFromFile(RepositoryPaths.Sample("darknet/person.jpg")))
        {
            File.Copy(RepositoryPaths.Sample("darknet/person.jpg"), Path.Combine(folder, "sharp.jpg"));
            using var blurred = photo.Gaussblur(6);
            blurred.Jpegsave(Path.Combine(folder, "blurry.jpg"));
            using var dark = (photo * 0.15).Cast(Enums.BandFormat.Uchar);
            dark.Jpegsave(Path.Combine(folder, "dark.jpg"));
            using var bright = (photo * 3.0).Cast(Enums.BandFormat.Uchar);
            bright.Jpegsave(Path.Combine(folder, "overexposed.jpg"));
        }
        await harness.IngestAsync("c", folder);
        await harness.EnrichAsync(stages: EnrichmentStage.Quality);

        async Task<IReadOnlyList<string>> FlagsOf(string name) =>
            (await harness.Enrichments.GetAsync((await harness.Assets.FindAssetAsync(Path.Combine(folder, name), None))!.Id, None)).Quality!.Flags;

        // person.jpg is 640×424: below 0.3 MP, so every variant is also low-resolution.
        Assert.Equal(["low-resolution"], await FlagsOf("sharp.jpg"));
        Assert.Equal(["blurry", "low-resolution"], await FlagsOf("blurry.jpg"));
        Assert.Equal(["dark", "low-resolution"], await FlagsOf("dark.jpg"));
        Assert.Equal(["overexposed", "low-resolution"], await FlagsOf("overexposed.jpg"));
    }

    [Fact]
    public async Task The_quality_thresholds_come_from_the_configuration()
    {
        using var harness = new IngestHarness(("Quality:BlurryBelow", "1000000"), ("Quality:DarkBelow", "0"), ("Quality:LowResolutionBelow", "0"));
        await harness.IngestAsync("c", RepositoryPaths.Sample("darknet/person.jpg"));

        await harness.EnrichAsync(stages: EnrichmentStage.Quality);

        var person = (await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("darknet/person.jpg"), None))!;
        Assert.Equal(["blurry"], (await harness.Enrichments.GetAsync(person.Id, None)).Quality!.Flags);
    }

    [Fact]
    public async Task Enrich_for_one_collection_leaves_the_others_alone()
    {
        using var harness = new IngestHarness();
        await harness.IngestAsync("site-12", RepositoryPaths.Sample("darknet/dog.jpg"), RepositoryPaths.Sample("darknet/eagle.jpg"));
        await harness.IngestAsync("site-7", RepositoryPaths.Sample("darknet/giraffe.jpg"));

        var twelve = await harness.EnrichAsync(collection: "site-12");
        var seven = await harness.EnrichAsync();

        Assert.Equal(2, twelve.Enriched);
        Assert.Equal(1, seven.Enriched);
    }

    [Fact]
    public async Task The_stage_asked_for_as_ocr_is_the_text_stage()
    {
        using var harness = new IngestHarness();
        await harness.IngestAsync("c", RepositoryPaths.Sample("skimage/coffee.png"));

        var ocr = await harness.EnrichAsync(stages: ["OCR", "text"]);

        Assert.Equal(1, ocr.Enriched);
        Assert.Equal([EnrichmentStage.Text, "decode"], ocr.StageTimes.Keys.Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public async Task An_unknown_stage_is_refused_by_name()
    {
        using var harness = new IngestHarness();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => harness.EnrichAsync(stages: "ocrr"));
        Assert.StartsWith("unknown stage 'ocrr'", error.Message, StringComparison.Ordinal);
    }
}

public sealed class TextEnrichmentTests
{
    [Fact]
    public async Task Text_in_a_photo_is_stored_in_reading_order_with_boxes_in_original_pixels()
    {
        using var harness = new IngestHarness();
        var path = TestPhotos.Write(harness.Temp.Combine("sign.jpg"), TextPhotos.Sign("HIGH VOLTAGE 42", angle: 8, noise: true));
        await harness.IngestAsync("c", path);
        await harness.EnrichAsync(stages: EnrichmentStage.Text);

        var asset = (await harness.Assets.FindAssetAsync(path, CancellationToken.None))!;
        var text = (await harness.Enrichments.GetAsync(asset.Id, CancellationToken.None)).Text!;

        var line = Assert.Single(text);
        Assert.Equal("HIGH VOLTAGE 42", line.Text);
        Assert.All(line.Quad.Where((_, i) => i % 2 == 0), x => Assert.InRange(x, 0, asset.Width));
        Assert.All(line.Quad.Where((_, i) => i % 2 == 1), y => Assert.InRange(y, 0, asset.Height));
    }
}

public sealed class PrivacyTests
{
    [Fact]
    public async Task Photos_with_faces_get_a_private_thumbnail_with_the_faces_blurred()
    {
        using var harness = new IngestHarness();
        await harness.IngestAsync("c", RepositoryPaths.Sample("skimage/astronaut.png"), RepositoryPaths.Sample("darknet/eagle.jpg"));
        await harness.EnrichAsync(stages: EnrichmentStage.Faces);

        var astronaut = (await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("skimage/astronaut.png"), CancellationToken.None))!;
        var eagle = (await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("darknet/eagle.jpg"), CancellationToken.None))!;
        Assert.DoesNotContain(eagle.Derived, d => d.Kind == Core.Assets.DerivedKind.PrivateThumbnail);
        var face = Assert.Single((await harness.Enrichments.GetAsync(astronaut.Id, CancellationToken.None)).Faces!).Box;

        using var plain = Load(harness, astronaut, Core.Assets.DerivedKind.Thumbnail);
        using var blurred = Load(harness, astronaut, Core.Assets.DerivedKind.PrivateThumbnail);
        var scale = plain.Width / (double)astronaut.Width;
        double Difference(int left, int top, int width, int height)
        {
            using var a = plain.Crop(left, top, width, height);
            using var b = blurred.Crop(left, top, width, height);
            using var difference = (a - b).Abs();
            return difference.Avg();
        }
        var inFace = Difference((int)(face.X * scale), (int)(face.Y * scale), (int)(face.Width * scale), (int)(face.Height * scale));
        var corner = Difference(plain.Width - 40, plain.Height - 40, 40, 40);
        Assert.True(inFace > 8, $"face region changed by {inFace:0.0} on average");
        Assert.True(corner < 3, $"corner changed by {corner:0.0} on average");
    }

    private static Image Load(IngestHarness harness, Core.Assets.Asset asset, Core.Assets.DerivedKind kind)
    {
        using var stream = harness.Blobs.OpenRead(asset.Derived.Single(d => d.Kind == kind).Hash);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Image.NewFromBuffer(buffer.ToArray());
    }
}

public sealed class SchedulingTests
{
    [Fact]
    public async Task Every_model_runs_once_when_loaded_to_warm_it_up()
    {
        using var harness = new IngestHarness();
        var models = await harness.Get<Inference.Vision.VisionModels>().GetAsync(CancellationToken.None);
        Assert.Equal(6, models.Runners.Count);
        // Every instance of every model, as each pays ONNX Runtime's first-run cost apart.
        Assert.All(models.Sessions, s => Assert.True(s.Runs >= 1, $"an instance of {s.Name} was not warmed up"));
    }

    [Fact]
    public async Task Faces_are_looked_for_only_where_a_person_was_detected()
    {
        using var harness = new IngestHarness();
        await harness.IngestAsync("c", RepositoryPaths.Sample("darknet/eagle.jpg"), RepositoryPaths.Sample("darknet/giraffe.jpg"), RepositoryPaths.Sample("opencv/messi5.jpg"));
        var models = await harness.Get<Inference.Vision.VisionModels>().GetAsync(CancellationToken.None);
        var warmUp = Runs(models, "yunet");

        await harness.EnrichAsync(stages: [EnrichmentStage.Objects, EnrichmentStage.Faces]);

        Assert.Equal(1, Runs(models, "yunet") - warmUp);
        var messi = (await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("opencv/messi5.jpg"), CancellationToken.None))!;
        Assert.Single((await harness.Enrichments.GetAsync(messi.Id, CancellationToken.None)).Faces!);
    }

    [Fact]
    public async Task With_the_option_off_every_photo_is_searched_for_faces()
    {
        using var harness = new IngestHarness(("Inference:FacesOnlyWithPeople", "false"));
        await harness.IngestAsync("c", RepositoryPaths.Sample("darknet/eagle.jpg"), RepositoryPaths.Sample("darknet/giraffe.jpg"));
        var models = await harness.Get<Inference.Vision.VisionModels>().GetAsync(CancellationToken.None);
        var warmUp = Runs(models, "yunet");

        await harness.EnrichAsync(stages: [EnrichmentStage.Objects, EnrichmentStage.Faces]);

        Assert.Equal(2, Runs(models, "yunet") - warmUp);
    }

    [Fact]
    public async Task Enrich_classifies_its_photos_in_batches_of_the_configured_size()
    {
        using var harness = new IngestHarness(("Inference:BatchSize", "3"));
        await harness.IngestAsync("c", Path.Combine(RepositoryPaths.Samples, "darknet"), RepositoryPaths.Sample("skimage/astronaut.png"));
        var models = await harness.Get<Inference.Vision.VisionModels>().GetAsync(CancellationToken.None);
        var warmUp = Runs(models, "mobilenetv2");

        var result = await harness.EnrichAsync(stages: EnrichmentStage.Labels);

        Assert.Equal(7, result.Enriched);
        // 7 photos in batches of 3, 3 and 1: one execution each.
        Assert.Equal(3, Runs(models, "mobilenetv2") - warmUp);
    }

    /// <summary>A model's executions over all its instances.</summary>
    private static long Runs(Inference.Vision.VisionModelSet models, string model) =>
        models.Runners.Single(r => r.Name == model).Sessions.Sum(s => s.Runs);
}

public sealed class InlineEnrichmentTests
{
    [Fact]
    public void The_text_detectors_view_is_made_up_front_only_without_the_gate()
    {
        var gated = PhotoEnricher.UpFront(new InferenceOptions(), clipView: null);
        var ungated = PhotoEnricher.UpFront(new InferenceOptions { TextGateMaxSide = 0 }, clipView: null);

        Assert.Equal([ViewSize.Longer(640), ViewSize.Longer(416), ViewSize.Longer(320), ViewSize.Shorter(256)], gated.OrderByDescending(v => v.Pixels));
        Assert.Contains(ViewSize.Longer(960), ungated);
        Assert.Contains(ViewSize.ShorterBicubic(224), PhotoEnricher.UpFront(new InferenceOptions(), ViewSize.ShorterBicubic(224)));
    }

    [Fact]
    public async Task Ingest_can_enrich_each_photo_from_the_pixels_it_decoded()
    {
        using var harness = new IngestHarness();
        var result = await harness.IngestAndEnrichAsync("c", Path.Combine(RepositoryPaths.Samples, "darknet"), RepositoryPaths.Sample("skimage/astronaut.png"));

        Assert.Equal(7, result.Ingested);
        Assert.Equal(7, result.Enrichment!.Enriched);
        Assert.Null(result.EnrichmentError);
        Assert.True(result.Stages.Views > TimeSpan.Zero, "ingest times the model views it made apart from the decode");
        Assert.Equal(0, (await harness.EnrichAsync()).Enriched);
        var dog = await harness.Enrichments.GetAsync((await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("darknet/dog.jpg"), CancellationToken.None))!.Id, CancellationToken.None);
        Assert.Contains(dog.Objects!, o => o.Label == "dog");
        Assert.Equal("malamute", dog.Labels![0].Name);
        var astronaut = (await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("skimage/astronaut.png"), CancellationToken.None))!;
        Assert.Contains(astronaut.Derived, d => d.Kind == Core.Assets.DerivedKind.PrivateThumbnail);
        await harness.AssertBlobsMatchRowsAsync();
    }
}

/// <summary>The pipeline runs what the serving runtime serves under each default model's name.</summary>
public sealed class ServedModelTests
{
    [Theory]
    [InlineData("cuda")]
    [InlineData("openvino")]
    public async Task A_provider_this_build_lacks_falls_back_to_the_cpu_with_a_warning_naming_each_model(string provider)
    {
        using var harness = new IngestHarness(("Inference:ExecutionProvider", provider));

        var result = await harness.IngestAndEnrichAsync("c", RepositoryPaths.Sample("darknet/dog.jpg"));

        Assert.Equal(1, result.Enrichment!.Enriched);
        var models = await harness.Get<Inference.Vision.VisionModels>().GetAsync(CancellationToken.None);
        Assert.All(models.Sessions, s => Assert.Equal("cpu", s.ExecutionProvider));
        Assert.Contains(harness.Logged, m => m.StartsWith($"Model yolox-nano: execution provider {provider} is not available", StringComparison.Ordinal) && m.EndsWith("running on CPU", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_models_threads_are_the_cores_shared_out_between_instances_unless_configured()
    {
        using var automatic = new IngestHarness();
        using var configured = new IngestHarness(("Inference:IntraOpThreads", "3"));

        var shared = (await automatic.Get<Inference.Vision.VisionModels>().GetAsync(CancellationToken.None)).Sessions;
        var set = (await configured.Get<Inference.Vision.VisionModels>().GetAsync(CancellationToken.None)).Sessions;

        Assert.All(shared, s => Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), s.IntraOpThreads));
        Assert.All(set, s => Assert.Equal(3, s.IntraOpThreads));
        Assert.Equal(12, set.Count);
    }

    [Fact]
    public async Task A_default_model_replaced_by_one_of_another_signature_is_named_and_the_photos_are_kept()
    {
        using var repository = new TempDirectory();
        File.Copy(RepositoryPaths.Model("face_detection_yunet_2023mar.onnx"), Path.Combine(repository.Folder("yolox-nano", "1"), "model.onnx"));
        using var harness = new IngestHarness(("Serving:Repository", repository.Path));

        var result = await harness.IngestAndEnrichAsync("c", RepositoryPaths.Sample("darknet/dog.jpg"));

        Assert.Equal(1, result.Ingested);
        Assert.Contains("model 'yolox-nano' does not have the expected signature", result.EnrichmentError, StringComparison.Ordinal);
        Assert.Contains("no input named 'images'", result.EnrichmentError, StringComparison.Ordinal);
        Assert.NotNull(await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("darknet/dog.jpg"), CancellationToken.None));
    }

    [Fact]
    public async Task A_model_the_repository_replaces_is_the_one_that_runs()
    {
        using var repository = new TempDirectory();
        var replacement = Path.Combine(repository.Folder("yunet", "7"), "model.onnx");
        // The same graph in other bytes: a protobuf field no ONNX reader knows (number 1000, varint 1) appended.
        File.WriteAllBytes(replacement, [.. File.ReadAllBytes(RepositoryPaths.Model("face_detection_yunet_2023mar.onnx")), 0xC0, 0x3E, 0x01]);
        using var harness = new IngestHarness(("Serving:Repository", repository.Path));

        await harness.IngestAndEnrichAsync("c", RepositoryPaths.Sample("opencv/messi5.jpg"));

        var models = await harness.Get<Inference.Vision.VisionModels>().GetAsync(CancellationToken.None);
        var yunet = models.Runners.Single(r => r.Name == "yunet");
        Assert.Equal(replacement, yunet.Path);
        // A folder without config.json: one instance, warmed up once, then the photo.
        Assert.Equal(2, yunet.Sessions.Sum(s => s.Runs));
        // Its results are versioned by its own file, so that enrich re-runs what the manifest's file found.
        Assert.Equal(Inference.Repository.ModelResolver.TagOf("yunet", replacement), models.Tags["yunet"]);
        Assert.NotEqual(Inference.Repository.ModelResolver.TagOf("yunet", RepositoryPaths.Model("face_detection_yunet_2023mar.onnx")), models.Tags["yunet"]);
        var messi = (await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("opencv/messi5.jpg"), CancellationToken.None))!;
        Assert.Single((await harness.Enrichments.GetAsync(messi.Id, CancellationToken.None)).Faces!);
    }
}

public sealed class ReloadedModelTests
{
    [Fact]
    public async Task A_model_reloaded_from_a_new_file_is_versioned_by_it_and_enrich_runs_its_stage_again()
    {
        using var repository = new TempDirectory();
        var original = File.ReadAllBytes(RepositoryPaths.Model("face_detection_yunet_2023mar.onnx"));
        File.WriteAllBytes(Path.Combine(repository.Folder("yunet", "1"), "model.onnx"), original);
        using var harness = new IngestHarness(("Serving:Repository", repository.Path));
        await harness.IngestAndEnrichAsync("c", RepositoryPaths.Sample("opencv/messi5.jpg"));
        var models = await harness.Get<Inference.Vision.VisionModels>().GetAsync(CancellationToken.None);
        var before = models.Tags["yunet"];
        Assert.Equal(0, (await harness.EnrichAsync()).Enriched);

        var second = await LoadSecondVersionAsync(harness, repository, "yunet", original);

        Assert.Equal(Inference.Repository.ModelResolver.TagOf("yunet", second), models.Tags["yunet"]);
        Assert.NotEqual(before, models.Tags["yunet"]);
        var again = await harness.EnrichAsync();
        Assert.Equal(1, again.Enriched);
        // Only the faces stage ran again (with the objects it looks for people in).
        Assert.Equal([EnrichmentStage.Objects, EnrichmentStage.Faces, "decode"], again.StageTimes.Keys.Order(StringComparer.Ordinal).Reverse());
        var messi = (await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("opencv/messi5.jpg"), CancellationToken.None))!;
        Assert.Single((await harness.Enrichments.GetAsync(messi.Id, CancellationToken.None)).Faces!);
    }

    [Fact]
    public async Task A_new_object_detector_runs_again_every_stage_that_reads_its_objects()
    {
        using var repository = new TempDirectory();
        var original = File.ReadAllBytes(RepositoryPaths.Model("yolox_nano.onnx"));
        File.WriteAllBytes(Path.Combine(repository.Folder("yolox-nano", "1"), "model.onnx"), original);
        using var harness = new IngestHarness(("Serving:Repository", repository.Path));
        await harness.IngestAndEnrichAsync("c", RepositoryPaths.Sample("darknet/dog.jpg"));

        await LoadSecondVersionAsync(harness, repository, "yolox-nano", original);
        var again = await harness.EnrichAsync();

        Assert.Equal(1, again.Enriched);
        Assert.Equal([EnrichmentStage.Objects, EnrichmentStage.Labels, EnrichmentStage.Faces, "decode"], again.StageTimes.Keys.Order(StringComparer.Ordinal).Reverse());
    }

    /// <summary>
    /// Version 2 of a model: the same graph in other bytes (a protobuf field no ONNX reader knows appended), loaded
    /// while the process runs. Returns its file.
    /// </summary>
    private static async Task<string> LoadSecondVersionAsync(IngestHarness harness, TempDirectory repository, string model, byte[] original)
    {
        var second = Path.Combine(repository.Folder(model, "2"), "model.onnx");
        File.WriteAllBytes(second, [.. original, 0xC0, 0x3E, 0x01]);
        await harness.Get<Serving.Runtime.ModelRuntime>().LoadAsync(model, CancellationToken.None);
        return second;
    }
}
