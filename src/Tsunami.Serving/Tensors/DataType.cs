using Microsoft.ML.OnnxRuntime.Tensors;

namespace Tsunami.Serving.Tensors;

/// <summary>The Open Inference Protocol's tensor data types ("FP32", "INT64", ...) and their ONNX counterparts.</summary>
public static class DataType
{
    private static readonly (string Name, TensorElementType Onnx, int Size)[] Types =
    [
        ("BOOL", TensorElementType.Bool, 1),
        ("UINT8", TensorElementType.UInt8, 1),
        ("UINT16", TensorElementType.UInt16, 2),
        ("UINT32", TensorElementType.UInt32, 4),
        ("UINT64", TensorElementType.UInt64, 8),
        ("INT8", TensorElementType.Int8, 1),
        ("INT16", TensorElementType.Int16, 2),
        ("INT32", TensorElementType.Int32, 4),
        ("INT64", TensorElementType.Int64, 8),
        ("FP16", TensorElementType.Float16, 2),
        ("BF16", TensorElementType.BFloat16, 2),
        ("FP32", TensorElementType.Float, 4),
        ("FP64", TensorElementType.Double, 8),
    ];

    public static IEnumerable<string> Names => Types.Select(t => t.Name);

    public static bool IsKnown(string name) => Types.Any(t => t.Name == name);

    /// <summary>Bytes per element of a known data type.</summary>
    public static int Size(string name) => Find(t => t.Name == name, name).Size;

    public static TensorElementType ToOnnx(string name) => Find(t => t.Name == name, name).Onnx;

    public static string FromOnnx(TensorElementType type) => Find(t => t.Onnx == type, type.ToString()).Name;

    /// <summary>Accepts the protocol's names and Triton's configuration names ("TYPE_FP32").</summary>
    public static string Normalize(string name) => name.StartsWith("TYPE_", StringComparison.Ordinal) ? name[5..] : name;

    private static (string Name, TensorElementType Onnx, int Size) Find(Func<(string Name, TensorElementType Onnx, int Size), bool> match, string what)
    {
        foreach (var type in Types)
        {
            if (match(type))
            {
                return type;
            }
        }
        throw new NotSupportedException($"data type {what} is not supported (supported: {string.Join(", ", Types.Select(t => t.Name))})");
    }
}
