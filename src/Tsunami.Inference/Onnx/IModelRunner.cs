namespace Tsunami.Inference.Onnx;

/// <summary>A float tensor handed to a model: its input name, shape and elements.</summary>
public sealed record ModelInput(string Name, long[] Shape, float[] Data);

/// <summary>What one run gave, in the order the outputs were asked for; valid until disposed.</summary>
public interface IModelOutputs : IDisposable
{
    ReadOnlySpan<float> Data(int index);

    long[] Shape(int index);
}

/// <summary>
/// A model the adapters run: a session of their own, or a model of the shared serving runtime, whose batcher merges
/// the pipeline's requests with every other caller's.
/// </summary>
public interface IModelRunner
{
    string Name { get; }

    /// <summary>The file it runs now (a served model may be reloaded from another): what its results are versioned by.</summary>
    string Path { get; }

    /// <summary>The most items one run may carry in its batch dimension.</summary>
    int BatchLimit { get; }

    /// <summary>The sessions that execute it, for their run counts and compute time.</summary>
    IReadOnlyList<OnnxModel> Sessions { get; }

    /// <summary>The model on each of its instances alone: one run on each warms them all up.</summary>
    IReadOnlyList<IModelRunner> Instances { get; }

    Task<IModelOutputs> RunAsync(IReadOnlyList<ModelInput> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken);
}

/// <summary>Where the default vision models run (registered by the host: own sessions, or the serving runtime).</summary>
public interface IModelRunners
{
    /// <exception cref="ModelLoadException">The model cannot run here, or does not have the signature its adapter expects.</exception>
    Task<IModelRunner> OpenAsync(string name, string path, ModelSignature expected, CancellationToken cancellationToken);
}

/// <summary>Each model in a session of its own, opened from the resolved file.</summary>
public sealed class OwnSessions(OnnxSessionFactory sessions) : IModelRunners
{
    public Task<IModelRunner> OpenAsync(string name, string path, ModelSignature expected, CancellationToken cancellationToken) =>
        Task.Run<IModelRunner>(() => sessions.Open(name, path, expected), cancellationToken);
}
