using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Tsunami.Inference.Onnx.Graph;

/// <summary>The arithmetic of one model run: multiply-adds counted twice, as FLOP figures conventionally are.</summary>
public sealed record ModelCost(string Model, IReadOnlyDictionary<string, long[]> InputShapes, double Flops, IReadOnlyDictionary<string, double> FlopsByOperator)
{
    public long InputElements => InputShapes.Values.Sum(shape => shape.Aggregate(1L, (a, b) => a * b));
}

/// <summary>
/// Counts a model's FLOPs from the tensor shapes ONNX Runtime really produces at given input shapes, so that dynamic
/// shapes, padding and strides need no shape inference of ours: every tensor the costly operators touch is added as
/// a graph output, the model runs once on zeros, and each operator's cost follows from its operand shapes.
/// </summary>
public static class FlopCounter
{
    private static readonly HashSet<string> Costly =
        ["Conv", "ConvInteger", "QLinearConv", "ConvTranspose", "MatMul", "MatMulInteger", "QLinearMatMul", "Gemm", "FusedConv", "FusedMatMul", "QGemm"];

    public static ModelCost Count(string name, string path, IReadOnlyDictionary<string, long[]> inputShapes)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var graph = model.Graph;
        var shapes = graph.Initializer.ToDictionary(t => t.Name, t => t.Dims.ToArray());
        var nodes = graph.Node.Where(n => Costly.Contains(n.OpType)).ToList();
        var wanted = nodes.SelectMany(n => n.Input.Concat(n.Output))
            .Where(t => t.Length > 0 && !shapes.ContainsKey(t) && !inputShapes.ContainsKey(t))
            .ToHashSet();
        var existing = graph.Output.Select(o => o.Name).ToHashSet();
        graph.Output.AddRange(wanted.Where(t => !existing.Contains(t)).Select(t => new ValueInfoProto { Name = t }));
        foreach (var (tensor, shape) in Run(name, model.ToByteArray(), inputShapes, wanted))
        {
            shapes[tensor] = shape;
        }
        foreach (var (input, shape) in inputShapes)
        {
            shapes[input] = shape;
        }

        var byOperator = new Dictionary<string, double>();
        foreach (var node in nodes)
        {
            var flops = Flops(node, shapes);
            byOperator[node.OpType] = byOperator.GetValueOrDefault(node.OpType) + flops;
        }
        return new ModelCost(name, inputShapes, byOperator.Values.Sum(), byOperator);
    }

    private static double Flops(NodeProto node, Dictionary<string, long[]> shapes)
    {
        long[] Shape(int input) => input < node.Input.Count && shapes.TryGetValue(node.Input[input], out var shape) ? shape : [];
        var output = shapes.TryGetValue(node.Output[0], out var y) ? Elements(y) : 0;
        switch (node.OpType)
        {
            case "Conv" or "ConvInteger" or "FusedConv":
                return 2.0 * output * Elements(Shape(1)[1..]);
            case "QLinearConv":
                return 2.0 * output * Elements(Shape(3)[1..]);
            case "ConvTranspose":
                return 2.0 * Elements(Shape(0)) * Elements(Shape(1)[1..]);
            case "Gemm" or "QGemm":
                var a = Shape(0);
                var transposed = node.Attribute.Any(at => at.Name == "transA" && at.I != 0);
                return a.Length == 2 ? 2.0 * output * (transposed ? a[0] : a[1]) : 0;
            default:
                var left = Shape(0);
                return left.Length > 0 ? 2.0 * output * left[^1] : 0;
        }
    }

    private static long Elements(long[] shape) => shape.Aggregate(1L, (a, b) => a * Math.Max(b, 0));

    private static Dictionary<string, long[]> Run(string name, byte[] model, IReadOnlyDictionary<string, long[]> inputShapes, IReadOnlySet<string> wanted)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(model, options);
        var missing = session.InputMetadata.Keys.Where(input => !inputShapes.ContainsKey(input)).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"model '{name}': no shape given for input(s) {string.Join(", ", missing)}", nameof(inputShapes));
        }
        var inputs = inputShapes.Select(pair => Zeros(session.InputMetadata[pair.Key].ElementType, pair.Value)).ToList();
        try
        {
            var names = session.OutputMetadata.Keys.Where(wanted.Contains).ToList();
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputShapes.Keys.ToList(), inputs, names);
            return names.Zip(outputs).ToDictionary(pair => pair.First, pair => pair.Second.GetTensorTypeAndShape().Shape);
        }
        finally
        {
            inputs.ForEach(input => input.Dispose());
        }
    }

    private static OrtValue Zeros(Type elementType, long[] shape)
    {
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        return elementType switch
        {
            _ when elementType == typeof(float) => OrtValue.CreateTensorValueFromMemory(new float[count], shape),
            _ when elementType == typeof(byte) => OrtValue.CreateTensorValueFromMemory(new byte[count], shape),
            _ when elementType == typeof(long) => OrtValue.CreateTensorValueFromMemory(new long[count], shape),
            _ when elementType == typeof(int) => OrtValue.CreateTensorValueFromMemory(new int[count], shape),
            _ => throw new NotSupportedException($"input element type {elementType.Name}"),
        };
    }
}
