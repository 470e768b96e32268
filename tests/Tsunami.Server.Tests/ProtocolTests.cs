using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Tsunami.Server.Tests;

/// <summary>Every endpoint of the Open Inference Protocol (KServe v2) and of the repository extension, in process.</summary>
public sealed class ProtocolTests(InProcessServer server) : IClassFixture<InProcessServer>
{
    private readonly HttpClient _client = server.CreateClient();

    [Fact]
    public async Task Server_metadata_names_the_server_and_its_extensions()
    {
        var body = await Protocol.JsonOf(await _client.GetAsync("/v2"));
        Assert.Equal("tsunami", body.GetProperty("name").GetString());
        Assert.Equal(["binary_tensor_data", "model_repository"], body.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Server_is_live_and_ready_once_the_repository_is_loaded()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v2/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v2/health/ready")).StatusCode);
    }

    [Theory]
    [InlineData("/v2/models/affine")]
    [InlineData("/v2/models/affine/versions/1")]
    public async Task Model_metadata_gives_inputs_and_outputs_with_the_batch_dimension(string path)
    {
        var body = await Protocol.JsonOf(await _client.GetAsync(path));
        Assert.Equal("affine", body.GetProperty("name").GetString());
        Assert.Equal(["1"], body.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("onnxruntime_onnx", body.GetProperty("platform").GetString());
        var input = body.GetProperty("inputs")[0];
        Assert.Equal(("x", "FP32", "[-1,4]"), (input.GetProperty("name").GetString(), input.GetProperty("datatype").GetString(), input.GetProperty("shape").ToString()));
        var output = body.GetProperty("outputs")[0];
        Assert.Equal(("y", "FP32", "[-1,3]"), (output.GetProperty("name").GetString(), output.GetProperty("datatype").GetString(), output.GetProperty("shape").ToString()));
    }

    [Fact]
    public async Task Model_ready_answers_for_loaded_models_and_404_for_unknown_ones()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v2/models/affine/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v2/models/affine/versions/1/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/v2/models/nope/ready")).StatusCode);
    }

    [Fact]
    public async Task Model_config_is_served_in_tritons_field_names()
    {
        var body = await Protocol.JsonOf(await _client.GetAsync("/v2/models/affine/config"));
        Assert.Equal(8, body.GetProperty("max_batch_size").GetInt32());
        Assert.Equal(100000, body.GetProperty("dynamic_batching").GetProperty("max_queue_delay_microseconds").GetInt64());
    }

    [Fact]
    public async Task Inference_with_json_tensors_computes_the_model()
    {
        float[] x = [1, 2, 3, 4, -1, 0.5f, 0, 2];
        using var response = await _client.PostAsync("/v2/models/affine/infer", Protocol.Json(Protocol.FloatRequest("x", [2, 4], x, id: "req-7")));
        var body = await Protocol.JsonOf(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("affine", "1", "req-7"), (body.GetProperty("model_name").GetString(), body.GetProperty("model_version").GetString(), body.GetProperty("id").GetString()));
        var y = body.GetProperty("outputs")[0];
        Assert.Equal("[2,3]", y.GetProperty("shape").ToString());
        Assert.Equal("FP32", y.GetProperty("datatype").GetString());
        Assert.Equal(TestRepository.AffineOf(x), Protocol.Floats(y));
    }

    [Fact]
    public async Task Inference_with_binary_tensors_reads_and_writes_raw_bytes()
    {
        float[] x = [0.25f, -2, 8, 1];
        var raw = new byte[16];
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), x[i]);
        }
        var header = """{ "inputs": [ { "name": "x", "datatype": "FP32", "shape": [1, 4], "parameters": { "binary_data_size": 16 } } ], "outputs": [ { "name": "y", "parameters": { "binary_data": true } } ] }""";
        using var response = await _client.PostAsync("/v2/models/affine/infer", Protocol.Binary(header, raw));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var length = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var json = JsonDocument.Parse(bytes.AsMemory(0, length)).RootElement;
        var output = json.GetProperty("outputs")[0];
        Assert.Equal(12, output.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.False(output.TryGetProperty("data", out _));
        var y = Enumerable.Range(0, 3).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(length + (i * 4)))).ToArray();
        Assert.Equal(TestRepository.AffineOf(x), y);
        Assert.Equal(length + 12, bytes.Length);
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadRequests => new()
    {
        { "/v2/models/nope/infer", Protocol.FloatRequest("x", [1, 4], [1, 2, 3, 4]), HttpStatusCode.NotFound, "model 'nope' is not loaded" },
        { "/v2/models/affine/versions/7/infer", Protocol.FloatRequest("x", [1, 4], [1, 2, 3, 4]), HttpStatusCode.NotFound, "model 'affine' has no version '7' loaded" },
        { "/v2/models/affine/infer", """{ "inputs": [ """, HttpStatusCode.BadRequest, "malformed JSON in the request body" },
        { "/v2/models/affine/infer", "[1, 2]", HttpStatusCode.BadRequest, "the request body must be a JSON object" },
        { "/v2/models/affine/infer", "{}", HttpStatusCode.BadRequest, "'inputs' is required and must be an array" },
        { "/v2/models/affine/infer", """{ "inputs": [ { "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4] } ] }""", HttpStatusCode.BadRequest, "inputs[0]: 'name' is required" },
        { "/v2/models/affine/infer", Protocol.FloatRequest("z", [1, 4], [1, 2, 3, 4]), HttpStatusCode.BadRequest, "input 'z': model 'affine' has no input of that name (inputs: x)" },
        { "/v2/models/affine/infer", """{ "inputs": [ { "name": "x", "shape": [1, 4], "datatype": "FP64", "data": [1, 2, 3, 4] } ] }""", HttpStatusCode.BadRequest, "input 'x': datatype FP64 does not match the model's FP32" },
        { "/v2/models/affine/infer", """{ "inputs": [ { "name": "x", "shape": [1, 4], "datatype": "FP99", "data": [1, 2, 3, 4] } ] }""", HttpStatusCode.BadRequest, "input 'x': datatype 'FP99' is not one of BOOL" },
        { "/v2/models/affine/infer", Protocol.FloatRequest("x", [1, 5], [1, 2, 3, 4, 5]), HttpStatusCode.BadRequest, "input 'x': shape [1,5] does not match the model's [-1,4]" },
        { "/v2/models/affine/infer", """{ "inputs": [ { "name": "x", "shape": [1, -4], "datatype": "FP32", "data": [1] } ] }""", HttpStatusCode.BadRequest, "input 'x': 'shape' must be an array of non-negative integers" },
        { "/v2/models/affine/infer", Protocol.FloatRequest("x", [1, 4], [1, 2, 3]), HttpStatusCode.BadRequest, "input 'x': shape needs 4 elements, 'data' has 3" },
        { "/v2/models/affine/infer", """{ "inputs": [ { "name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, "a", 3, 4] } ] }""", HttpStatusCode.BadRequest, "input 'x': element 1 (\"a\") is not a valid FP32 value" },
        { "/v2/models/affine/infer", """{ "inputs": [ { "name": "x", "shape": [1, 4], "datatype": "FP32" } ] }""", HttpStatusCode.BadRequest, "input 'x': 'data' is required" },
        { "/v2/models/affine/infer", Protocol.FloatRequest("x", [9, 4], new float[36]), HttpStatusCode.BadRequest, "input 'x': batch of 9 exceeds the model's max_batch_size 8" },
        { "/v2/models/affine/infer", Protocol.FloatRequest("x", [1, 4], [1, 2, 3, 4], extra: """, "outputs": [ { "name": "z" } ]"""), HttpStatusCode.BadRequest, "output 'z': model 'affine' has no output of that name (outputs: y)" },
        { "/v2/models/affine/infer", Protocol.FloatRequest("x", [1, 4], [1, 2, 3, 4], extra: """, "parameters": { "timeout": -5 }"""), HttpStatusCode.BadRequest, "parameters.timeout must be a positive number of microseconds" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_gets_the_protocols_error_naming_what_is_wrong(string path, string body, HttpStatusCode status, string message)
    {
        using var response = await _client.PostAsync(path, Protocol.Json(body));
        var json = await Protocol.JsonOf(response);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, json.GetProperty("error").GetString(), StringComparison.Ordinal);
        // The server keeps serving.
        var expected = TestRepository.AffineOf([1, 1, 1, 1]);
        Assert.Equal(expected, await Protocol.InferAsync(_client, "affine", [1, 1, 1, 1], [1, 4]));
    }

    [Fact]
    public async Task Binary_data_of_the_wrong_size_is_refused_with_both_sizes()
    {
        var header = """{ "inputs": [ { "name": "x", "datatype": "FP32", "shape": [1, 4], "parameters": { "binary_data_size": 12 } } ] }""";
        using var response = await _client.PostAsync("/v2/models/affine/infer", Protocol.Binary(header, new byte[12]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("input 'x': shape [1,4] of FP32 needs 16 bytes, got 12", (await Protocol.JsonOf(response)).GetProperty("error").GetString(), StringComparison.Ordinal);

        using var extra = await _client.PostAsync("/v2/models/affine/infer", Protocol.Binary(header.Replace("12", "16", StringComparison.Ordinal), new byte[20]));
        Assert.Contains("the body has 4 bytes after the tensors", (await Protocol.JsonOf(extra)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_that_throws_fails_only_that_request()
    {
        using var broken = await _client.PostAsync("/v2/models/fragile/infer", Protocol.Json(Protocol.FloatRequest("x", [3], [1, 2, 3])));
        Assert.Equal(HttpStatusCode.InternalServerError, broken.StatusCode);
        Assert.StartsWith("model 'fragile' failed on this request:", (await Protocol.JsonOf(broken)).GetProperty("error").GetString(), StringComparison.Ordinal);

        var y = await Protocol.InferAsync(_client, "fragile", [1, 2, 3, 4], [4]);
        Assert.Equal([1f, 2, 3, 4], y);
    }

    [Fact]
    public async Task The_repository_index_lists_every_model_with_its_state()
    {
        var index = await Protocol.JsonOf(await _client.PostAsync("/v2/repository/index", null));
        var states = index.EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("state").GetString());
        Assert.Equal("READY", states["affine"]);
        Assert.Equal("READY", states["slow"]);
    }

    [Fact]
    public async Task Models_load_unload_and_reload_a_new_version_without_a_restart()
    {
        var model = File.ReadAllBytes(Path.Combine(server.Repository.Folder, "affine", "1", "model.onnx"));
        server.Repository.Add("affine-extra", model, """{ "name": "affine-extra", "max_batch_size": 8 }""");

        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/v2/models/affine-extra")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/v2/repository/models/affine-extra/load", null)).StatusCode);
        var expected = TestRepository.AffineOf([1, 2, 3, 4]);
        Assert.Equal(expected, await Protocol.InferAsync(_client, "affine-extra", [1, 2, 3, 4], [1, 4]));

        server.Repository.Add("affine-extra", model, """{ "name": "affine-extra", "max_batch_size": 4 }""", version: "2");
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/v2/repository/models/affine-extra/load", null)).StatusCode);
        var metadata = await Protocol.JsonOf(await _client.GetAsync("/v2/models/affine-extra"));
        Assert.Equal(["2"], metadata.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(4, (await Protocol.JsonOf(await _client.GetAsync("/v2/models/affine-extra/config"))).GetProperty("max_batch_size").GetInt32());

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/v2/repository/models/affine-extra/unload", null)).StatusCode);
        using var gone = await _client.PostAsync("/v2/models/affine-extra/infer", Protocol.Json(Protocol.FloatRequest("x", [1, 4], [1, 2, 3, 4])));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PostAsync("/v2/repository/models/affine-extra/unload", null)).StatusCode);
    }

    [Fact]
    public async Task A_broken_model_fails_to_load_with_its_reason_and_the_others_keep_serving()
    {
        Directory.CreateDirectory(Path.Combine(server.Repository.Folder, "broken", "1"));
        File.WriteAllBytes(Path.Combine(server.Repository.Folder, "broken", "1", "model.onnx"), Encoding.UTF8.GetBytes("not a model"));

        using var load = await _client.PostAsync("/v2/repository/models/broken/load", null);
        Assert.Equal(HttpStatusCode.BadRequest, load.StatusCode);
        Assert.Contains("model 'broken':", (await Protocol.JsonOf(load)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("is not a loadable ONNX model", (await Protocol.JsonOf(await _client.PostAsync("/v2/repository/index", null)))
            .EnumerateArray().Single(m => m.GetProperty("name").GetString() == "broken").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/v2/models/broken/ready")).StatusCode);
        using var infer = await _client.PostAsync("/v2/models/broken/infer", Protocol.Json(Protocol.FloatRequest("x", [1], [1])));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, infer.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PostAsync("/v2/repository/models/..%2Fetc/load", null)).StatusCode);
        var expected = TestRepository.AffineOf([1, 1, 1, 1]);
        Assert.Equal(expected, await Protocol.InferAsync(_client, "affine", [1, 1, 1, 1], [1, 4]));
    }
}
