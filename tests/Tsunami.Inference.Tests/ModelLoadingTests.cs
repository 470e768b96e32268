using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tsunami.Inference.Onnx;
using Tsunami.Inference.Vision;
using Tsunami.Media.Decoding;

namespace Tsunami.Inference.Tests;

public sealed class ModelLoadingTests(RealModels models) : IClassFixture<RealModels>, IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void A_model_with_another_signature_names_the_model_and_both_signatures()
    {
        var error = Assert.Throws<ModelLoadException>(() => models.Factory.Open("yolox-nano", RealModels.Shared("face_detection_yunet_2023mar.onnx"), ObjectDetector.Signature));
        Assert.StartsWith("model 'yolox-nano' does not have the expected signature (no input named 'images'", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected inputs (images: Single[1,3,416,416])", error.Message, StringComparison.Ordinal);
        Assert.Contains("found inputs (input: Single[1,3,640,640])", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_model_file_is_named()
    {
        var path = _temp.Combine("broken.onnx");
        File.WriteAllBytes(path, [.. File.ReadAllBytes(RealModels.Shared("yolox_nano.onnx")).Take(10_000)]);
        var error = Assert.Throws<ModelLoadException>(() => models.Factory.Open("yolox-nano", path, ObjectDetector.Signature));
        Assert.StartsWith($"model 'yolox-nano': {path} is not a loadable ONNX model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_file_is_named() =>
        Assert.Equal("model 'yunet': file /nowhere/yunet.onnx does not exist",
            Assert.Throws<ModelLoadException>(() => models.Factory.Open("yunet", "/nowhere/yunet.onnx", FaceDetector.Signature)).Message);

    [Fact]
    public async Task An_unavailable_gpu_provider_falls_back_to_cpu()
    {
        var factory = new OnnxSessionFactory(
            Microsoft.Extensions.Options.Options.Create(new InferenceOptions { ExecutionProvider = "cuda" }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<OnnxSessionFactory>.Instance);
        using var model = factory.Open("yunet", RealModels.Shared("face_detection_yunet_2023mar.onnx"), FaceDetector.Signature);
        Assert.Equal("cpu", model.ExecutionProvider);
        Assert.Single(await new FaceDetector(model).DetectAsync(models.Load("skimage/astronaut.png")));
    }

    [Fact]
    public void The_coco_names_match_the_shared_label_file() =>
        Assert.Equal(File.ReadAllLines(RealModels.Shared("coco80_yolox.txt")).Where(l => l.Length > 0), CocoLabels.Names);

    public void Dispose() => _temp.Dispose();
}

/// <summary>Without a serving runtime (AddInference alone), the default models run in sessions of their own.</summary>
public sealed class OwnSessionsTests
{
    [Fact]
    public async Task The_default_models_open_in_sessions_of_their_own_and_find_the_dog()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Models:SharedDirectory"] = RepositoryPaths.SharedModels,
            ["Models:Manifest"] = Path.Combine(RepositoryPaths.Root, "config", "models.json"),
            ["Models:AllowDownload"] = "false",
        }).Build();
        await using var services = new ServiceCollection().AddSingleton(typeof(ILogger<>), typeof(NullLogger<>)).AddInference(configuration).BuildServiceProvider();

        var models = await services.GetRequiredService<VisionModels>().GetAsync(CancellationToken.None);

        Assert.Equal(6, models.Runners.Count);
        Assert.All(models.Runners, r => Assert.IsType<OnnxModel>(r));
        Assert.All(models.Sessions, s => Assert.True(s.Runs >= 1, $"{s.Name} was not warmed up"));
        Assert.Equal("yolox-nano:" + ModelManifestSha("yolox-nano"), models.Tags["yolox-nano"]);
        var dog = new PhotoProcessor(Microsoft.Extensions.Options.Options.Create(new Media.MediaOptions())).DecodeViews(File.ReadAllBytes(RepositoryPaths.Sample("darknet/dog.jpg")), [Core.Imaging.ViewSize.Longer(416)])[0];
        Assert.Contains(await models.Objects.DetectAsync(dog), d => d.Label == "dog");
    }

    private static string ModelManifestSha(string name) =>
        Repository.ModelManifest.Load(Path.Combine(RepositoryPaths.Root, "config", "models.json")).Find(name).Sha256[0][..8];
}
