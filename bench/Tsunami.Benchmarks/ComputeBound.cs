using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tsunami.Inference.Onnx;
using Tsunami.Inference.Onnx.Graph;

namespace Tsunami.Benchmarks;

/// <summary>
/// What the models could reach if ONNX Runtime ran them at its best: each model's FLOPs (counted from its graph at the
/// shape the pipeline feeds it) over the GFLOP/s ONNX Runtime reaches here on one thread for a large matrix product.
/// </summary>
internal sealed class ComputeBound
{
    private readonly Dictionary<string, ModelCost> _costs = [];

    private ComputeBound(double peakGflops) => PeakGflopsPerThread = peakGflops;

    public double PeakGflopsPerThread { get; }

    public static ComputeBound Measure() => new(MeasurePeak());

    /// <summary>FLOPs of one run of the model at the given shape of its (single) image input.</summary>
    public ModelCost Cost(OnnxModel model, long[] shape)
    {
        if (!_costs.TryGetValue(model.Name, out var cost))
        {
            var input = model.Session.InputMetadata.Keys.Single();
            _costs[model.Name] = cost = FlopCounter.Count(model.Name, model.Path, new Dictionary<string, long[]> { [input] = shape });
        }
        return cost;
    }

    /// <summary>
    /// The FLOPs of every run since the given input-element count, scaled from the model's FLOPs per input element:
    /// exact for fully convolutional models, close for the rest.
    /// </summary>
    public double FlopsSince(OnnxModel model, long inputElementsBefore) =>
        _costs.TryGetValue(model.Name, out var cost) ? cost.Flops / cost.InputElements * (model.InputElements - inputElementsBefore) : 0;

    private static double MeasurePeak()
    {
        const int M = 256, K = 1024, N = 1024;
        var weights = new float[K * N];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (i % 17) / 17f;
        }
        var model = new OnnxModelBuilder("peak")
            .Input("a", TensorElementType.Float, M, K)
            .Weights("b", weights, K, N)
            .Node("MatMul", ["a", "b"], ["c"])
            .Output("c", TensorElementType.Float, M, N)
            .ToBytes();
        using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(model, options);
        using var a = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, M * K).Select(i => (i % 13) / 13f).ToArray(), [M, K]);
        using var runOptions = new RunOptions();
        var times = new List<double>();
        for (var run = 0; run < 12; run++)
        {
            var watch = Stopwatch.StartNew();
            using var outputs = session.Run(runOptions, ["a"], [a], ["c"]);
            times.Add(watch.Elapsed.TotalSeconds);
        }
        var median = times.Skip(2).Order().ElementAt((times.Count - 2) / 2);
        return 2.0 * M * K * N / median / 1e9;
    }
}
