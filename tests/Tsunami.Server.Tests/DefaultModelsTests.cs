using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Tsunami.Server.Tests;

/// <summary>The default models, served under their names from the real files, through a real Kestrel server.</summary>
public sealed class DefaultModelsTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private LoopbackServer _server = null!;

    private HttpClient Client => _server.Client;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string>
        {
            ["Serving:Repository"] = _temp.Combine("repository"),
            ["Storage:DataDirectory"] = _temp.Combine("data"),
        };
        if (Directory.Exists(RepositoryPaths.SharedModels))
        {
            settings["Models:SharedDirectory"] = RepositoryPaths.SharedModels;
        }
        // The default MobileNetV2 file again, with a long queue delay and one instance, so that concurrent requests
        // are certain to be merged.
        var batched = Path.Combine(settings["Serving:Repository"], "mobilenetv2-batched");
        Directory.CreateDirectory(Path.Combine(batched, "1"));
        File.CreateSymbolicLink(Path.Combine(batched, "1", "model.onnx"), RepositoryPaths.Model("mobilenetv2-12-int8.onnx"));
        File.WriteAllText(Path.Combine(batched, "config.json"), """
            { "name": "mobilenetv2-batched", "max_batch_size": 8, "instance_group": [ { "count": 1 } ],
              "dynamic_batching": { "max_queue_delay_microseconds": 200000 } }
            """);
        _server = await LoopbackServer.StartAsync(settings);
    }

    [Fact]
    public async Task The_default_models_are_served_under_their_names()
    {
        var index = await Protocol.JsonOf(await Client.PostAsync("/v2/repository/index", null));
        var ready = index.EnumerateArray().Where(m => m.GetProperty("state").GetString() == "READY").Select(m => m.GetProperty("name").GetString()).ToList();
        Assert.Equal(["mobilenetv2", "mobilenetv2-batched", "ppocr-cls", "ppocr-det", "ppocr-rec", "yolox-nano", "yunet"], ready);

        var yolox = await Protocol.JsonOf(await Client.GetAsync("/v2/models/yolox-nano"));
        Assert.Equal("[1,3,416,416]", yolox.GetProperty("inputs")[0].GetProperty("shape").ToString());
        var rec = await Protocol.JsonOf(await Client.GetAsync("/v2/models/ppocr-rec"));
        Assert.Equal("[-1,3,48,-1]", rec.GetProperty("inputs")[0].GetProperty("shape").ToString());
    }

    [Fact]
    public async Task The_enrichment_pipeline_runs_its_models_in_the_served_runtime()
    {
        string[] models = ["yolox-nano", "mobilenetv2", "yunet", "ppocr-det"];
        // Loaded (and warmed up) first, so that what is counted below is the photo's own inferences.
        var vision = await _server.Services.GetRequiredService<global::Tsunami.Inference.Vision.VisionModels>().GetAsync(CancellationToken.None);
        var before = new Dictionary<string, double>();
        foreach (var model in models)
        {
            before[model] = await Protocol.MetricAsync(Client, "tsunami_inference_count", model);
        }

        var result = await _server.Services.GetRequiredService<Engine.Ingest.IngestService>().IngestAsync(
            new Engine.Ingest.IngestRequest([RepositoryPaths.Sample("darknet/person.jpg")], "c", new Dictionary<string, string>(), Enrich: true),
            null, CancellationToken.None);

        Assert.Equal(1, result.Enrichment!.Enriched);
        foreach (var model in models)
        {
            Assert.True(await Protocol.MetricAsync(Client, "tsunami_inference_count", model) > before[model], $"{model} did not count the photo's inference");
        }
        // One set of sessions: the pipeline's runners execute on the served models' instances.
        var runtime = _server.Services.GetRequiredService<Serving.Runtime.ModelRuntime>();
        Assert.Equal(6, vision.Runners.Count);
        Assert.All(vision.Runners, runner => Assert.Equal(runtime.Get(runner.Name).Instances, runner.Sessions));
    }

    [Fact]
    public async Task MobileNetV2_gives_the_same_scores_batched_with_others_as_alone()
    {
        var images = Enumerable.Range(0, 6).Select(seed => Image(seed)).ToList();
        var alone = new List<float[]>();
        foreach (var image in images)
        {
            alone.Add(await ClassifyAsync(image, "mobilenetv2"));
        }
        var executionsBefore = await Protocol.MetricAsync(Client, "tsunami_inference_exec_count", "mobilenetv2-batched");

        var together = await Task.WhenAll(images.Select(image => ClassifyAsync(image, "mobilenetv2-batched")));

        for (var i = 0; i < images.Count; i++)
        {
            Assert.Equal(1000, together[i].Length);
            Assert.Equal(alone[i], together[i]);
        }
        Assert.NotEqual(alone[0], alone[1]);
        Assert.True(await Protocol.MetricAsync(Client, "tsunami_inference_exec_count", "mobilenetv2-batched") - executionsBefore < images.Count);
    }

    [Fact]
    public async Task YOLOX_answers_a_binary_request_with_its_grid_of_boxes()
    {
        using var response = await Client.PostAsync("/v2/models/yolox-nano/infer", Request("images", [1, 3, 416, 416], Image(3, 3 * 416 * 416)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (json, _) = await ReadAsync(response);
        Assert.Equal("[1,3549,85]", json.GetProperty("outputs")[0].GetProperty("shape").ToString());
    }

    private async Task<float[]> ClassifyAsync(byte[] image, string model)
    {
        using var response = await Client.PostAsync($"/v2/models/{model}/infer", Request("input", [1, 3, 224, 224], image));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (_, data) = await ReadAsync(response);
        return Enumerable.Range(0, data.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(i * 4))).ToArray();
    }

    /// <summary>A smooth pattern with a different phase per seed: normalised-image-like values, as raw FP32 bytes.</summary>
    private static byte[] Image(int seed) => Image(seed, 3 * 224 * 224);

    private static byte[] Image(int seed, int elements)
    {
        var bytes = new byte[elements * 4];
        for (var i = 0; i < elements; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), (float)Math.Sin((i * 0.013) + seed) * 2);
        }
        return bytes;
    }

    private static ByteArrayContent Request(string input, long[] shape, byte[] data) => Protocol.Binary(
        $$"""{ "inputs": [ { "name": "{{input}}", "datatype": "FP32", "shape": [{{string.Join(',', shape)}}], "parameters": { "binary_data_size": {{data.Length}} } } ], "parameters": { "binary_data_output": true } }""",
        data);

    private static async Task<(JsonElement Json, byte[] Data)> ReadAsync(HttpResponseMessage response)
    {
        var length = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), CultureInfo.InvariantCulture);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return (JsonDocument.Parse(bytes.AsMemory(0, length)).RootElement.Clone(), bytes[length..]);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _temp.Dispose();
    }
}
