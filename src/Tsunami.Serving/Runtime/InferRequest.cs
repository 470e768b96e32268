using Tsunami.Serving.Tensors;

namespace Tsunami.Serving.Runtime;

/// <summary>
/// One inference request: its inputs, the outputs wanted (null: all) and how long it may wait. An in-process caller
/// may have the outputs written into arrays rented from <paramref name="OutputPool"/>, which it returns when done
/// (photo-sized outputs in fresh arrays cost more page faults than the rest of the request on this machine). An
/// <paramref name="InProcess"/> caller (the enrichment pipeline) lends its thread, on which the model runs when an
/// instance is idle, nothing is queued and the model waits for no company, and waits for room in a full queue rather
/// than being told to retry. Requests from the network do neither, so that a busy model does not hold the server's
/// threads and a client learns that it should back off.
/// </summary>
public sealed record InferRequest(string? Id, IReadOnlyList<InferTensor> Inputs, IReadOnlyList<string>? Outputs = null, TimeSpan? Timeout = null,
    System.Buffers.ArrayPool<byte>? OutputPool = null, bool InProcess = false);

public sealed record InferResponse(string ModelName, string ModelVersion, string? Id, IReadOnlyList<InferTensor> Outputs);

/// <summary>An input or output as served: the shape is the protocol's, with -1 for the batch and any-size dimensions.</summary>
public sealed record TensorMetadata(string Name, string DataType, long[] Shape);

public sealed record ModelMetadata(string Name, IReadOnlyList<string> Versions, string Platform, IReadOnlyList<TensorMetadata> Inputs, IReadOnlyList<TensorMetadata> Outputs);
