using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tsunami.Serving.Repository;

/// <summary>
/// One served model's configuration, in the JSON form of NVIDIA Triton's model configuration (the same field names),
/// kept as config.json in the model's folder. Inputs and outputs may be left out: they are then read from the model.
/// </summary>
public sealed class ModelConfig
{
    public string Name { get; set; } = "";

    public string Platform { get; set; } = "onnxruntime_onnx";

    /// <summary>Largest batch the runtime forms; the model's first dimension is then the batch and <c>dims</c> omit it. 0: no batch dimension.</summary>
    public int MaxBatchSize { get; set; }

    public List<TensorConfig>? Input { get; set; }

    public List<TensorConfig>? Output { get; set; }

    /// <summary>Absent: each request runs alone (still through the bounded queue).</summary>
    public DynamicBatchingConfig? DynamicBatching { get; set; }

    public List<InstanceGroupConfig> InstanceGroup { get; set; } = [new()];

    /// <summary>cpu, cuda or openvino; absent: Inference:ExecutionProvider. A missing provider falls back to CPU.</summary>
    public string? ExecutionProvider { get; set; }

    public string DefaultModelFilename { get; set; } = "model.onnx";

    /// <summary>An int8-quantised file of the same model in the version folder, served when <see cref="Precision"/> is int8.</summary>
    public string? Int8ModelFilename { get; set; }

    /// <summary>fp32 (the default file) or int8 (<see cref="Int8ModelFilename"/>).</summary>
    public string Precision { get; set; } = "fp32";

    /// <summary>Built-in models only: the manifest entry whose resolved file is served.</summary>
    public string? ManifestModel { get; set; }

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <exception cref="InvalidDataException">Not JSON, an unknown field, or a value out of range, named.</exception>
    public static ModelConfig Parse(string json, string source)
    {
        ModelConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<ModelConfig>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
        if (config is null)
        {
            throw new InvalidDataException($"{source}: empty configuration");
        }
        config.Validate(source);
        return config;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    private void Validate(string source)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add("name is required");
        }
        if (Platform is not ("onnxruntime_onnx" or "onnxruntime"))
        {
            problems.Add($"platform '{Platform}' is not served (onnxruntime_onnx)");
        }
        if (MaxBatchSize < 0)
        {
            problems.Add("max_batch_size must be 0 or more");
        }
        if (DynamicBatching is { } batching)
        {
            if (MaxBatchSize == 0)
            {
                problems.Add("dynamic_batching needs max_batch_size > 0");
            }
            if (batching.PreferredBatchSize.Any(size => size < 1 || size > MaxBatchSize))
            {
                problems.Add($"preferred_batch_size must lie within 1..max_batch_size ({MaxBatchSize})");
            }
            if (batching.MaxQueueDelayMicroseconds < 0 || batching.MaxQueueSize < 0 || batching.DefaultTimeoutMicroseconds < 0)
            {
                problems.Add("dynamic_batching values must not be negative");
            }
        }
        if (InstanceGroup.Count == 0 || InstanceGroup.Any(group => group.Count < 1))
        {
            problems.Add("instance_group needs a count of 1 or more");
        }
        if (InstanceGroup.Any(group => group.Kind is not ("KIND_CPU" or "KIND_GPU" or "KIND_AUTO")))
        {
            problems.Add("instance_group kind must be KIND_CPU, KIND_GPU or KIND_AUTO");
        }
        if (Precision is not ("fp32" or "int8"))
        {
            problems.Add($"precision '{Precision}' must be fp32 or int8");
        }
        if (Precision == "int8" && string.IsNullOrWhiteSpace(Int8ModelFilename))
        {
            problems.Add("precision int8 needs int8_model_filename");
        }
        foreach (var file in new[] { DefaultModelFilename, Int8ModelFilename }.OfType<string>())
        {
            if (file.Length == 0 || Path.IsPathRooted(file) || file.Contains('/', StringComparison.Ordinal) || file.Contains('\\', StringComparison.Ordinal) || file == "..")
            {
                problems.Add($"model file name '{file}' must be a plain file name in the version folder");
            }
        }
        foreach (var tensor in (Input ?? []).Concat(Output ?? []))
        {
            if (string.IsNullOrWhiteSpace(tensor.Name) || !Tensors.DataType.IsKnown(Tensors.DataType.Normalize(tensor.DataType)) || tensor.Dims.Any(d => d < -1 || d == 0))
            {
                problems.Add($"tensor '{tensor.Name}' needs a name, a data_type of {string.Join('/', Tensors.DataType.Names)} and dims of sizes or -1");
            }
        }
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{source}: {string.Join("; ", problems)}");
        }
    }
}

public sealed class TensorConfig
{
    public string Name { get; set; } = "";

    /// <summary>TYPE_FP32 or FP32, ...</summary>
    public string DataType { get; set; } = "";

    /// <summary>Without the batch dimension when max_batch_size > 0; -1 is any size.</summary>
    public long[] Dims { get; set; } = [];
}

public sealed class DynamicBatchingConfig
{
    /// <summary>Batch sizes worth forming at once: a batch that reaches one runs without waiting further.</summary>
    public int[] PreferredBatchSize { get; set; } = [];

    /// <summary>Longest a request waits for others to join its batch.</summary>
    public long MaxQueueDelayMicroseconds { get; set; } = 1000;

    /// <summary>Requests waiting at most; beyond, callers are told to retry. 0: Serving:DefaultMaxQueueSize.</summary>
    public int MaxQueueSize { get; set; }

    /// <summary>A request still queued after this long fails with a timeout; 0: none (a request's own timeout still applies).</summary>
    public long DefaultTimeoutMicroseconds { get; set; }
}

public sealed class InstanceGroupConfig
{
    /// <summary>Sessions of the model run side by side; the cores are shared out between them.</summary>
    public int Count { get; set; } = 1;

    public string Kind { get; set; } = "KIND_CPU";
}
