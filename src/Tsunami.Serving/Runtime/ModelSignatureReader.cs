using Microsoft.ML.OnnxRuntime;
using Tsunami.Inference.Onnx;
using Tsunami.Serving.Repository;
using Tsunami.Serving.Tensors;

namespace Tsunami.Serving.Runtime;

/// <summary>
/// The inputs and outputs a model is served with: the configuration's where it names them (checked against the
/// model file), else the model's own. With max_batch_size > 0 the first dimension is the batch.
/// </summary>
internal static class ModelSignatureReader
{
    public static (List<TensorMetadata> Inputs, List<TensorMetadata> Outputs) Read(ModelConfig config, InferenceSession session)
    {
        var inputs = Read(config, "input", config.Input, session.InputMetadata);
        var outputs = Read(config, "output", config.Output, session.OutputMetadata);
        return (inputs, outputs);
    }

    private static List<TensorMetadata> Read(ModelConfig config, string role, List<TensorConfig>? configured, IReadOnlyDictionary<string, NodeMetadata> actual)
    {
        var fromModel = actual.Select(pair => FromModel(config, role, pair.Key, pair.Value)).ToList();
        if (configured is null)
        {
            return fromModel;
        }
        var problems = new List<string>();
        var result = new List<TensorMetadata>();
        foreach (var tensor in configured)
        {
            var model = fromModel.FirstOrDefault(m => m.Name == tensor.Name);
            var dataType = DataType.Normalize(tensor.DataType);
            long[] shape = config.MaxBatchSize > 0 ? [-1, .. tensor.Dims] : tensor.Dims;
            if (model is null)
            {
                problems.Add($"no {role} named '{tensor.Name}'");
            }
            else if (model.DataType != dataType)
            {
                problems.Add($"{role} '{tensor.Name}' is {model.DataType}, not {dataType}");
            }
            else if (model.Shape.Length != shape.Length || model.Shape.Zip(shape).Any(p => p.First >= 0 && p.Second >= 0 && p.First != p.Second))
            {
                problems.Add($"{role} '{tensor.Name}' has shape {InferTensor.Format(model.Shape)}, not {InferTensor.Format(shape)}");
            }
            result.Add(new TensorMetadata(tensor.Name, dataType, shape));
        }
        if (problems.Count > 0)
        {
            throw new ModelLoadException($"model '{config.Name}': the configuration does not match the model file ({string.Join("; ", problems)}); " +
                $"the file has {role}s {string.Join(", ", fromModel.Select(m => $"{m.Name}: {m.DataType}{InferTensor.Format(m.Shape)}"))}");
        }
        return role == "input" ? result : result.Concat(fromModel.Where(m => result.All(r => r.Name != m.Name))).ToList();
    }

    private static TensorMetadata FromModel(ModelConfig config, string role, string name, NodeMetadata node)
    {
        if (!node.IsTensor)
        {
            throw new ModelLoadException($"model '{config.Name}': {role} '{name}' is not a tensor ({node.OnnxValueType}); only tensors are served");
        }
        string dataType;
        try
        {
            dataType = DataType.FromOnnx(node.ElementDataType);
        }
        catch (NotSupportedException e)
        {
            throw new ModelLoadException($"model '{config.Name}': {role} '{name}': {e.Message}", e);
        }
        var dims = node.Dimensions.Select(d => (long)d).ToArray();
        if (config.MaxBatchSize > 0 && (dims.Length == 0 || dims[0] > 1))
        {
            throw new ModelLoadException($"model '{config.Name}': max_batch_size is {config.MaxBatchSize} but {role} '{name}' has no batch dimension " +
                $"(shape {InferTensor.Format(dims)}); set max_batch_size to 0");
        }
        if (config.MaxBatchSize > 0 && dims[0] == 1)
        {
            throw new ModelLoadException($"model '{config.Name}': {role} '{name}' has a fixed batch of 1 (shape {InferTensor.Format(dims)}); set max_batch_size to 0");
        }
        if (config.MaxBatchSize > 0)
        {
            dims[0] = -1;
        }
        return new TensorMetadata(name, dataType, dims.Select(d => d < 0 ? -1 : d).ToArray());
    }
}
