namespace Tsunami.Serving.Tensors;

/// <summary>A named tensor as the protocol carries it: a data type, a shape and its elements as little-endian bytes.</summary>
public sealed record InferTensor(string Name, string DataType, long[] Shape, ReadOnlyMemory<byte> Data)
{
    public long Elements => ElementCount(Shape);

    public static long ElementCount(IReadOnlyList<long> shape) => shape.Aggregate(1L, (a, b) => a * b);

    public static string Format(IReadOnlyList<long> shape) => $"[{string.Join(',', shape)}]";
}
