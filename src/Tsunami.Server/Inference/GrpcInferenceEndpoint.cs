using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;
using Tsunami.Server.Grpc;
using Tsunami.Serving;
using Tsunami.Serving.Runtime;
using Tsunami.Serving.Tensors;

namespace Tsunami.Server.Inference;

/// <summary>
/// The Open Inference Protocol over gRPC: the same runtime, checks and batcher as the REST endpoints; refusals become
/// gRPC status codes with the same messages (InvalidArgument, NotFound, Unavailable, DeadlineExceeded, Internal).
/// </summary>
internal sealed class GrpcInferenceEndpoint(ModelRuntime runtime) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = runtime.Ready });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) => Guard(() =>
    {
        try
        {
            runtime.Get(request.Name, Version(request.Version));
            return new ModelReadyResponse { Ready = true };
        }
        catch (InferenceException e) when (e.Error == InferenceError.Unavailable)
        {
            return new ModelReadyResponse { Ready = false };
        }
    });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse
        {
            Name = "tsunami",
            Version = typeof(GrpcInferenceEndpoint).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            Extensions = { OpenInferenceEndpoints.Extensions },
        });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) => Guard(() =>
    {
        var metadata = runtime.Get(request.Name, Version(request.Version)).Metadata;
        var response = new ModelMetadataResponse { Name = metadata.Name, Platform = metadata.Platform, Versions = { metadata.Versions } };
        response.Inputs.AddRange(metadata.Inputs.Select(Tensor));
        response.Outputs.AddRange(metadata.Outputs.Select(Tensor));
        return response;
    });

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        try
        {
            var model = runtime.Get(request.ModelName, Version(request.ModelVersion));
            TimeSpan? timeout = request.Parameters.TryGetValue("timeout", out var t) && t.Int64Param > 0 ? TimeSpan.FromMicroseconds(t.Int64Param) : null;
            var inferRequest = new InferRequest(request.Id.Length > 0 ? request.Id : null, Inputs(request),
                request.Outputs.Count > 0 ? request.Outputs.Select(o => o.Name).ToList() : null, timeout);
            var result = await model.InferAsync(inferRequest, context.CancellationToken);
            var response = new ModelInferResponse { ModelName = result.ModelName, ModelVersion = result.ModelVersion, Id = result.Id ?? "" };
            foreach (var output in result.Outputs)
            {
                response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.DataType, Shape = { output.Shape } });
                response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(output.Data));
            }
            return response;
        }
        catch (InferenceException e)
        {
            throw Status(e);
        }
    }

    private static List<InferTensor> Inputs(ModelInferRequest request)
    {
        var raw = request.RawInputContents.Count > 0;
        if (raw && request.RawInputContents.Count != request.Inputs.Count)
        {
            throw Bad($"raw_input_contents has {request.RawInputContents.Count} buffers for {request.Inputs.Count} inputs");
        }
        var inputs = new List<InferTensor>();
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            var field = $"input '{input.Name}'";
            if (!DataType.IsKnown(input.Datatype))
            {
                throw Bad($"{field}: datatype '{input.Datatype}' is not one of {string.Join(", ", DataType.Names)}");
            }
            if (input.Shape.Any(d => d < 0))
            {
                throw Bad($"{field}: 'shape' must hold non-negative integers");
            }
            var data = raw ? request.RawInputContents[i].Memory : Contents(input, field);
            inputs.Add(new InferTensor(input.Name, input.Datatype, [.. input.Shape], data));
        }
        return inputs;
    }

    /// <summary>Typed contents as little-endian bytes; the element count is checked against the shape later.</summary>
    private static byte[] Contents(ModelInferRequest.Types.InferInputTensor input, string field)
    {
        var c = input.Contents ?? throw Bad($"{field}: no contents and no raw_input_contents");
        var size = DataType.Size(input.Datatype);
        byte[] Pack<T>(IReadOnlyList<T> values, Action<Span<byte>, T> write)
        {
            var bytes = new byte[values.Count * size];
            for (var k = 0; k < values.Count; k++)
            {
                write(bytes.AsSpan(k * size, size), values[k]);
            }
            return bytes;
        }
        return input.Datatype switch
        {
            "BOOL" => Pack(c.BoolContents, (s, v) => s[0] = v ? (byte)1 : (byte)0),
            "INT8" => Pack(c.IntContents, (s, v) => s[0] = (byte)(sbyte)v),
            "INT16" => Pack(c.IntContents, (s, v) => BinaryPrimitives.WriteInt16LittleEndian(s, (short)v)),
            "INT32" => Pack(c.IntContents, BinaryPrimitives.WriteInt32LittleEndian),
            "INT64" => Pack(c.Int64Contents, BinaryPrimitives.WriteInt64LittleEndian),
            "UINT8" => Pack(c.UintContents, (s, v) => s[0] = (byte)v),
            "UINT16" => Pack(c.UintContents, (s, v) => BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)v)),
            "UINT32" => Pack(c.UintContents, BinaryPrimitives.WriteUInt32LittleEndian),
            "UINT64" => Pack(c.Uint64Contents, BinaryPrimitives.WriteUInt64LittleEndian),
            "FP32" => Pack(c.Fp32Contents, BinaryPrimitives.WriteSingleLittleEndian),
            "FP64" => Pack(c.Fp64Contents, BinaryPrimitives.WriteDoubleLittleEndian),
            _ => throw Bad($"{field}: {input.Datatype} tensors must come as raw_input_contents"),
        };
    }

    private static ModelMetadataResponse.Types.TensorMetadata Tensor(TensorMetadata tensor) =>
        new() { Name = tensor.Name, Datatype = tensor.DataType, Shape = { tensor.Shape } };

    private static string? Version(string version) => version.Length > 0 ? version : null;

    private static async Task<T> Guard<T>(Func<T> body)
    {
        await Task.CompletedTask;
        try
        {
            return body();
        }
        catch (InferenceException e)
        {
            throw Status(e);
        }
    }

    private static InferenceException Bad(string message) => new(InferenceError.BadRequest, message);

    private static RpcException Status(InferenceException e)
    {
        var code = e.Error switch
        {
            InferenceError.BadRequest => StatusCode.InvalidArgument,
            InferenceError.NotFound => StatusCode.NotFound,
            InferenceError.Overloaded or InferenceError.Unavailable => StatusCode.Unavailable,
            InferenceError.Timeout => StatusCode.DeadlineExceeded,
            _ => StatusCode.Internal,
        };
        var trailers = new Metadata();
        if (e.RetryAfter is { } retry)
        {
            trailers.Add("retry-after", ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return new RpcException(new Status(code, e.Message), trailers);
    }
}
