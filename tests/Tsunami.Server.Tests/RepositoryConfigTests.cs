using System.Net;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tsunami.Inference.Onnx.Graph;

namespace Tsunami.Server.Tests;

/// <summary>Model folders and configurations that are wrong are refused with what is wrong; the right ones load.</summary>
public sealed class RepositoryConfigTests(InProcessServer server) : IClassFixture<InProcessServer>
{
    private readonly HttpClient _client = server.CreateClient();

    private byte[] Affine => File.ReadAllBytes(Path.Combine(server.Repository.Folder, "affine", "1", "model.onnx"));

    public static TheoryData<string, string, string> BadConfigs => new()
    {
        { "not-json", "{ name: ", "config.json:" },
        { "unknown-field", """{ "name": "unknown-field", "max_batch": 4 }""", "could not be mapped" },
        { "batching-without-batch", """{ "name": "batching-without-batch", "dynamic_batching": {} }""", "dynamic_batching needs max_batch_size > 0" },
        { "preferred-too-big", """{ "name": "preferred-too-big", "max_batch_size": 4, "dynamic_batching": { "preferred_batch_size": [8] } }""", "preferred_batch_size must lie within 1..max_batch_size (4)" },
        { "no-instances", """{ "name": "no-instances", "instance_group": [ { "count": 0 } ] }""", "instance_group needs a count of 1 or more" },
        { "int8-without-file", """{ "name": "int8-without-file", "precision": "int8" }""", "precision int8 needs int8_model_filename" },
        { "escaping-file", """{ "name": "escaping-file", "default_model_filename": "../../affine/1/model.onnx" }""", "must be a plain file name in the version folder" },
        { "renamed", """{ "name": "other" }""", "name 'other' differs from its folder 'renamed'" },
        { "wrong-type", """{ "name": "wrong-type", "max_batch_size": 8, "input": [ { "name": "x", "data_type": "TYPE_FP64", "dims": [4] } ] }""",
            "the configuration does not match the model file (input 'x' is FP32, not FP64)" },
        { "wrong-dims", """{ "name": "wrong-dims", "max_batch_size": 8, "input": [ { "name": "x", "data_type": "TYPE_FP32", "dims": [5] } ] }""",
            "input 'x' has shape [-1,4], not [-1,5]" },
        { "missing-input", """{ "name": "missing-input", "max_batch_size": 8, "input": [ { "name": "image", "data_type": "TYPE_FP32", "dims": [4] } ] }""",
            "no input named 'image'" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task A_wrong_configuration_is_refused_with_what_is_wrong(string name, string config, string message)
    {
        server.Repository.Add(name, Affine, config);
        using var response = await _client.PostAsync($"/v2/repository/models/{name}/load", null);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, (await Protocol.JsonOf(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_with_a_fixed_batch_of_one_cannot_be_batched()
    {
        var fixedBatch = new OnnxModelBuilder("fixed")
            .Input("x", TensorElementType.Float, 1, 4)
            .Node("Relu", ["x"], ["y"])
            .Output("y", TensorElementType.Float, 1, 4)
            .ToBytes();
        server.Repository.Add("fixed-batch", fixedBatch, """{ "name": "fixed-batch", "max_batch_size": 4 }""");
        using var response = await _client.PostAsync("/v2/repository/models/fixed-batch/load", null);
        Assert.Contains("input 'x' has a fixed batch of 1 (shape [1,4]); set max_batch_size to 0", (await Protocol.JsonOf(response)).GetProperty("error").GetString(), StringComparison.Ordinal);

        server.Repository.Add("fixed-batch", fixedBatch, """{ "name": "fixed-batch", "max_batch_size": 0 }""");
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/v2/repository/models/fixed-batch/load", null)).StatusCode);
        var y = await Protocol.InferAsync(_client, "fixed-batch", [-1, 2, -3, 4], [1, 4]);
        Assert.Equal([0f, 2, 0, 4], y);
    }

    [Fact]
    public async Task A_folder_without_a_version_is_refused()
    {
        Directory.CreateDirectory(Path.Combine(server.Repository.Folder, "versionless"));
        using var response = await _client.PostAsync("/v2/repository/models/versionless/load", null);
        Assert.Contains("has no version folder (1/, 2/, ...) holding model.onnx", (await Protocol.JsonOf(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Precision_int8_serves_the_int8_file_of_the_version()
    {
        var variant = new OnnxModelBuilder("variant")
            .Input("x", TensorElementType.Float, null, 4)
            .Node("Neg", ["x"], ["y"])
            .Output("y", TensorElementType.Float, null, 4)
            .ToBytes();
        server.Repository.Add("quantised", Affine, """{ "name": "quantised", "max_batch_size": 8, "precision": "int8", "int8_model_filename": "model.int8.onnx" }""");
        File.WriteAllBytes(Path.Combine(server.Repository.Folder, "quantised", "1", "model.int8.onnx"), variant);

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/v2/repository/models/quantised/load", null)).StatusCode);
        var y = await Protocol.InferAsync(_client, "quantised", [1, 2, 3, 4], [1, 4]);
        Assert.Equal([-1f, -2, -3, -4], y);
    }

    [Fact]
    public void A_built_in_model_without_its_manifest_entry_is_refused_by_name()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("serving.json");
        File.WriteAllText(file, """{ "models": [ { "name": "orphan", "max_batch_size": 0 } ] }""");
        var repository = new Tsunami.Serving.Repository.ModelRepository(
            Microsoft.Extensions.Options.Options.Create(new Tsunami.Serving.ServingOptions { BuiltInModels = file, Repository = temp.Combine("none") }),
            Microsoft.Extensions.Options.Options.Create(new Tsunami.Inference.Repository.ModelOptions()), null!, []);
        var error = Assert.Throws<InvalidDataException>(() => repository.Names());
        Assert.Equal($"{file} (orphan): a built-in model needs a valid name and manifest_model, the manifest entry it serves", error.Message);
    }
}
