using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Tsunami.Server.Grpc;

namespace Tsunami.Server.Tests;

/// <summary>The Open Inference Protocol's gRPC service (KServe v2 GRPCInferenceService) on a real HTTP/2 port.</summary>
public sealed class GrpcTests : IAsyncLifetime
{
    private readonly TestRepository _repository = new();
    private LoopbackServer _server = null!;
    private GrpcChannel _channel = null!;
    private GRPCInferenceService.GRPCInferenceServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(_repository.Settings);
        _channel = GrpcChannel.ForAddress(_server.GrpcAddress);
        _client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
    }

    [Fact]
    public async Task Health_and_metadata_answer_over_grpc()
    {
        Assert.True((await _client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await _client.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "affine" })).Ready);
        var server = await _client.ServerMetadataAsync(new ServerMetadataRequest());
        Assert.Equal("tsunami", server.Name);
        Assert.Contains("binary_tensor_data", server.Extensions);
        var model = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "affine", Version = "1" });
        Assert.Equal(("x", "FP32"), (model.Inputs[0].Name, model.Inputs[0].Datatype));
        Assert.Equal([-1L, 4], model.Inputs[0].Shape);
        Assert.Equal([-1L, 3], model.Outputs[0].Shape);
    }

    [Fact]
    public async Task Inference_takes_raw_or_typed_contents_and_answers_raw()
    {
        float[] x = [1, -2, 0.5f, 3, 0, 0, 1, 1];
        var typed = Request(x);
        typed.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { x } };
        var raw = Request(x);
        raw.RawInputContents.Add(ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan())));

        foreach (var request in new[] { typed, raw })
        {
            var response = await _client.ModelInferAsync(request);
            Assert.Equal(("affine", "1", "g-1"), (response.ModelName, response.ModelVersion, response.Id));
            Assert.Equal([2L, 3], response.Outputs[0].Shape);
            var y = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray();
            Assert.Equal(TestRepository.AffineOf(x), y);
        }
    }

    [Fact]
    public async Task Refusals_carry_grpc_status_codes_and_the_same_messages()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(() => _client.ModelInferAsync(new ModelInferRequest { ModelName = "nope" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("model 'nope' is not loaded", unknown.Status.Detail, StringComparison.Ordinal);

        var shortData = Request([1, 2, 3, 4, 5, 6, 7, 8]);
        shortData.RawInputContents.Add(ByteString.CopyFrom(new byte[12]));
        var wrong = await Assert.ThrowsAsync<RpcException>(() => _client.ModelInferAsync(shortData).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, wrong.StatusCode);
        Assert.Contains("input 'x': shape [2,4] of FP32 needs 32 bytes, got 12", wrong.Status.Detail, StringComparison.Ordinal);

        var broken = new ModelInferRequest { ModelName = "fragile", Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Shape = { 3 }, Contents = new InferTensorContents { Fp32Contents = { 1, 2, 3 } } } } };
        var failed = await Assert.ThrowsAsync<RpcException>(() => _client.ModelInferAsync(broken).ResponseAsync);
        Assert.Equal(StatusCode.Internal, failed.StatusCode);

        Assert.True((await _client.ServerLiveAsync(new ServerLiveRequest())).Live);
    }

    private static ModelInferRequest Request(float[] x) => new()
    {
        ModelName = "affine",
        Id = "g-1",
        Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Shape = { x.Length / 4, 4 } } },
    };

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
        _repository.Dispose();
    }
}
