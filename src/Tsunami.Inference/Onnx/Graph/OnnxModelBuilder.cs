using Google.Protobuf;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Tsunami.Inference.Onnx.Graph;

/// <summary>
/// Writes small, real ONNX models: graphs of standard operators with known weights, for tests that need a model of
/// a given shape and benchmarks that measure what ONNX Runtime reaches on this machine.
/// </summary>
public sealed class OnnxModelBuilder(string graphName)
{
    private readonly GraphProto _graph = new() { Name = graphName };

    /// <summary>A graph input; a null dimension is symbolic (any size, e.g. the batch).</summary>
    public OnnxModelBuilder Input(string name, TensorElementType type, params long?[] shape)
    {
        _graph.Input.Add(ValueInfo(name, type, shape));
        return this;
    }

    public OnnxModelBuilder Output(string name, TensorElementType type, params long?[] shape)
    {
        _graph.Output.Add(ValueInfo(name, type, shape));
        return this;
    }

    public OnnxModelBuilder Weights(string name, float[] values, params long[] dims)
    {
        if (values.Length != dims.Aggregate(1L, (a, b) => a * b))
        {
            throw new ArgumentException($"weights '{name}': {values.Length} values do not fill [{string.Join(',', dims)}]", nameof(values));
        }
        var tensor = new TensorProto { Name = name, DataType = (int)TensorElementType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return this;
    }

    public OnnxModelBuilder Int64s(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorElementType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>A node of the standard operator set; attribute values are long, float, string, long[] or float[].</summary>
    public OnnxModelBuilder Node(string opType, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes.Select(Attribute));
        _graph.Node.Add(node);
        return this;
    }

    public byte[] ToBytes(int opset = 17)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "tsunami", Graph = _graph.Clone() };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model.ToByteArray();
    }

    public void Save(string path, int opset = 17) => File.WriteAllBytes(path, ToBytes(opset));

    private static ValueInfoProto ValueInfo(string name, TensorElementType type, long?[] shape)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.AddRange(shape.Select((d, i) => d is { } size
            ? new TensorShapeProto.Types.Dimension { DimValue = size }
            : new TensorShapeProto.Types.Dimension { DimParam = $"{name}_{i}" }));
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } } };
    }

    private static AttributeProto Attribute((string Name, object Value) attribute)
    {
        var proto = new AttributeProto { Name = attribute.Name };
        switch (attribute.Value)
        {
            case long i:
                (proto.Type, proto.I) = (AttributeProto.Types.AttributeType.Int, i);
                break;
            case int i:
                (proto.Type, proto.I) = (AttributeProto.Types.AttributeType.Int, i);
                break;
            case float f:
                (proto.Type, proto.F) = (AttributeProto.Types.AttributeType.Float, f);
                break;
            case string s:
                (proto.Type, proto.S) = (AttributeProto.Types.AttributeType.String, ByteString.CopyFromUtf8(s));
                break;
            case long[] ints:
                proto.Type = AttributeProto.Types.AttributeType.Ints;
                proto.Ints.AddRange(ints);
                break;
            case float[] floats:
                proto.Type = AttributeProto.Types.AttributeType.Floats;
                proto.Floats.AddRange(floats);
                break;
            default:
                throw new ArgumentException($"attribute '{attribute.Name}': unsupported value type {attribute.Value.GetType().Name}", nameof(attribute));
        }
        return proto;
    }
}
