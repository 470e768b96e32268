using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace Tsunami.Inference.Onnx;

/// <summary>
/// Opens ONNX models with the configured execution provider and threading, checks each against the signature its
/// adapter expects, and turns every failure into a <see cref="ModelLoadException"/> that names the model.
/// </summary>
public sealed partial class OnnxSessionFactory(IOptions<InferenceOptions> options, ILogger<OnnxSessionFactory> logger)
{
    private readonly InferenceOptions _options = options.Value;

    public OnnxModel Open(string name, string path, ModelSignature expected)
    {
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"model '{name}': file {path} does not exist");
        }
        var threads = _options.IntraOpThreads > 0 ? _options.IntraOpThreads : 1;
        var (session, provider) = CreateSession(name, path, _options.ExecutionProvider, threads);
        try
        {
            CheckSignature(name, session, expected);
        }
        catch
        {
            session.Dispose();
            throw;
        }
        return new OnnxModel(name, path, session, provider, threads);
    }

    /// <summary>
    /// Threads for each of a served model's instances: the configured number, else the cores shared out between them
    /// so that they do not oversubscribe the machine.
    /// </summary>
    public int ThreadsPerInstance(int instances) =>
        _options.IntraOpThreads > 0 ? _options.IntraOpThreads : Math.Max(1, Environment.ProcessorCount / Math.Max(1, instances));

    /// <summary>
    /// Opens any model as it is, for serving: its own inputs and outputs are the contract. The provider comes from
    /// the model's configuration (null: the default), the threads from <see cref="ThreadsPerInstance"/>.
    /// </summary>
    public OnnxModel OpenAsIs(string name, string path, string? executionProvider, int intraOpThreads)
    {
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"model '{name}': file {path} does not exist");
        }
        var (session, provider) = CreateSession(name, path, executionProvider ?? _options.ExecutionProvider, intraOpThreads);
        return new OnnxModel(name, path, session, provider, intraOpThreads);
    }

    private (InferenceSession Session, string Provider) CreateSession(string name, string path, string provider, int intraOpThreads)
    {
        var sessionOptions = NewSessionOptions(intraOpThreads);
        try
        {
            if (provider != "cpu")
            {
                try
                {
                    if (provider == "cuda")
                    {
                        sessionOptions.AppendExecutionProvider_CUDA();
                    }
                    else
                    {
                        sessionOptions.AppendExecutionProvider_OpenVINO();
                    }
                }
                catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
                {
                    LogProviderFallback(name, provider, FirstLine(e.Message));
                    // A failed append can leave the options half-configured: start the CPU session from clean ones.
                    sessionOptions.Dispose();
                    sessionOptions = NewSessionOptions(intraOpThreads);
                    provider = "cpu";
                }
            }
            return (new InferenceSession(path, sessionOptions), provider);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelLoadException($"model '{name}': {path} is not a loadable ONNX model: {FirstLine(e.Message)}", e);
        }
        finally
        {
            sessionOptions.Dispose();
        }
    }

    private static SessionOptions NewSessionOptions(int intraOpThreads) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        IntraOpNumThreads = intraOpThreads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
    };

    /// <exception cref="ModelLoadException">The session's inputs or outputs differ: names the model and both signatures.</exception>
    public static void CheckSignature(string name, InferenceSession session, ModelSignature expected)
    {
        var problems = new List<string>();
        Compare("input", expected.Inputs, session.InputMetadata, problems);
        Compare("output", expected.Outputs, session.OutputMetadata, problems);
        if (problems.Count > 0)
        {
            var actual = new ModelSignature(Describe(session.InputMetadata), Describe(session.OutputMetadata));
            throw new ModelLoadException(
                $"model '{name}' does not have the expected signature ({string.Join("; ", problems)}): expected {expected}, found {actual}");
        }
    }

    private static void Compare(string role, IReadOnlyList<TensorSpec> expected, IReadOnlyDictionary<string, NodeMetadata> actual, List<string> problems)
    {
        foreach (var spec in expected)
        {
            if (!actual.TryGetValue(spec.Name, out var node))
            {
                problems.Add($"no {role} named '{spec.Name}'");
                continue;
            }
            if (node.ElementType != spec.ElementType)
            {
                problems.Add($"{role} '{spec.Name}' is {node.ElementType.Name}, not {spec.ElementType.Name}");
            }
            var dims = node.Dimensions;
            if (dims.Length != spec.Shape.Length ||
                dims.Zip(spec.Shape).Any(pair => pair.Second >= 0 && pair.First >= 0 && pair.First != pair.Second))
            {
                problems.Add($"{role} '{spec.Name}' has shape [{string.Join(',', dims)}]");
            }
        }
    }

    private static List<TensorSpec> Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        nodes.Select(n => new TensorSpec(n.Key, n.Value.ElementType, n.Value.Dimensions.Select(d => (long)d).ToArray())).ToList();

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: execution provider {Provider} is not available ({Reason}); running on CPU")]
    private partial void LogProviderFallback(string model, string provider, string reason);
}
