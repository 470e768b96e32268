using Microsoft.ML.OnnxRuntime;

namespace Tsunami.Inference.Onnx;

/// <summary>A loaded, validated and warmed-up ONNX model. Thread-safe: ONNX Runtime sessions allow concurrent runs.</summary>
public sealed class OnnxModel(string name, string path, InferenceSession session, string executionProvider, int intraOpThreads) : IModelRunner, IDisposable
{
    public string Name { get; } = name;

    /// <summary>Threads ONNX Runtime uses inside one run of this session.</summary>
    public int IntraOpThreads { get; } = intraOpThreads;

    public string Path { get; } = path;

    /// <summary>The execution provider the session really runs on (after any fallback).</summary>
    public string ExecutionProvider { get; } = executionProvider;

    public InferenceSession Session { get; } = session;

    private long _runs;
    private long _computeTicks;
    private long _inputElements;

    /// <summary>Model executions so far.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Time spent inside ONNX Runtime, summed over threads: the compute the pipeline's overhead is measured against.</summary>
    public TimeSpan ComputeTime => TimeSpan.FromTicks(Interlocked.Read(ref _computeTicks));

    /// <summary>Input tensor elements fed so far: with a FLOP count per element, the arithmetic these runs took.</summary>
    public long InputElements => Interlocked.Read(ref _inputElements);

    /// <summary>Runs the model; the caller disposes the outputs.</summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputs, IReadOnlyList<string> outputNames)
    {
        using var options = new RunOptions();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outputs = Session.Run(options, inputNames, inputs, outputNames);
        Interlocked.Add(ref _computeTicks, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
        Interlocked.Increment(ref _runs);
        Interlocked.Add(ref _inputElements, inputs.Sum(input => input.GetTensorTypeAndShape().ElementCount));
        return outputs;
    }

    public int BatchLimit => int.MaxValue;

    public IReadOnlyList<OnnxModel> Sessions => [this];

    public IReadOnlyList<IModelRunner> Instances => [this];

    /// <summary>Runs on the calling thread; the inputs' arrays are used in place.</summary>
    public Task<IModelOutputs> RunAsync(IReadOnlyList<ModelInput> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        var values = inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, i.Shape)).ToList();
        try
        {
            return Task.FromResult<IModelOutputs>(new Outputs(Run([.. inputs.Select(i => i.Name)], values, outputNames)));
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    public void Dispose() => Session.Dispose();

    private sealed class Outputs(IDisposableReadOnlyCollection<OrtValue> values) : IModelOutputs
    {
        public ReadOnlySpan<float> Data(int index) => values[index].GetTensorDataAsSpan<float>();

        public long[] Shape(int index) => values[index].GetTensorTypeAndShape().Shape;

        public void Dispose() => values.Dispose();
    }
}
