using Tsunami.Serving.Tensors;

namespace Tsunami.Serving.Runtime;

/// <summary>One inference request: its inputs, the outputs wanted (null: all) and how long it may wait.</summary>
public sealed record InferRequest(string? Id, IReadOnlyList<InferTensor> Inputs, IReadOnlyList<string>? Outputs = null, TimeSpan? Timeout = null);

public sealed record InferResponse(string ModelName, string ModelVersion, string? Id, IReadOnlyList<InferTensor> Outputs);

/// <summary>An input or output as served: the shape is the protocol's, with -1 for the batch and any-size dimensions.</summary>
public sealed record TensorMetadata(string Name, string DataType, long[] Shape);

public sealed record ModelMetadata(string Name, IReadOnlyList<string> Versions, string Platform, IReadOnlyList<TensorMetadata> Inputs, IReadOnlyList<TensorMetadata> Outputs);
