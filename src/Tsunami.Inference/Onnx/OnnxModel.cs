using Microsoft.ML.OnnxRuntime;

namespace Tsunami.Inference.Onnx;

/// <summary>A loaded, validated and warmed-up ONNX model. Thread-safe: ONNX Runtime sessions allow concurrent runs.</summary>
public sealed class OnnxModel(string name, InferenceSession session, string executionProvider) : IDisposable
{
    public string Name { get; } = name;

    /// <summary>The execution provider the session really runs on (after any fallback).</summary>
    public string ExecutionProvider { get; } = executionProvider;

    public InferenceSession Session { get; } = session;

    /// <summary>Runs the model; the caller disposes the outputs.</summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputs, IReadOnlyList<string> outputNames)
    {
        using var options = new RunOptions();
        return Session.Run(options, inputNames, inputs, outputNames);
    }

    public void Dispose() => Session.Dispose();
}
