using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tsunami.Inference.Onnx.Graph;

namespace Tsunami.Inference.Tests;

public sealed class OnnxGraphTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void A_generated_model_runs_in_onnx_runtime_with_its_weights()
    {
        var bytes = new OnnxModelBuilder("affine")
            .Input("x", TensorElementType.Float, null, 2)
            .Weights("w", [1, 2, 3, 4, 5, 6], 2, 3)
            .Weights("b", [10, 20, 30], 3)
            .Node("MatMul", ["x", "w"], ["xw"])
            .Node("Add", ["xw", "b"], ["y"])
            .Output("y", TensorElementType.Float, null, 3)
            .ToBytes();
        using var session = new InferenceSession(bytes);
        using var x = OrtValue.CreateTensorValueFromMemory(new float[] { 1, 1, 2, 0 }, [2, 2]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["x"], [x], ["y"]);
        Assert.Equal([15f, 27f, 39f, 12f, 24f, 36f], outputs[0].GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public void Flops_of_a_generated_graph_are_exact()
    {
        var path = _temp.Combine("convnet.onnx");
        new OnnxModelBuilder("convnet")
            .Input("image", TensorElementType.Float, null, 3, 32, 32)
            .Weights("k1", new float[8 * 3 * 3 * 3], 8, 3, 3, 3)
            .Weights("k2", new float[8 * 1 * 3 * 3], 8, 1, 3, 3)
            .Weights("fc", new float[8 * 16 * 16 * 10], 8 * 16 * 16, 10)
            .Int64s("flat", 0, -1)
            .Node("Conv", ["image", "k1"], ["c1"], ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 2, 2 }))
            .Node("Conv", ["c1", "k2"], ["c2"], ("pads", new long[] { 1, 1, 1, 1 }), ("group", 8L))
            .Node("Reshape", ["c2", "flat"], ["f"])
            .Node("MatMul", ["f", "fc"], ["logits"])
            .Output("logits", TensorElementType.Float, null, 10)
            .Save(path);

        var cost = FlopCounter.Count("convnet", path, new Dictionary<string, long[]> { ["image"] = [4, 3, 32, 32] });

        double conv1 = 2.0 * (4 * 8 * 16 * 16) * (3 * 3 * 3), depthwise = 2.0 * (4 * 8 * 16 * 16) * 9, dense = 2.0 * (4 * 10) * 2048;
        Assert.Equal(conv1 + depthwise, cost.FlopsByOperator["Conv"]);
        Assert.Equal(dense, cost.FlopsByOperator["MatMul"]);
        Assert.Equal(conv1 + depthwise + dense, cost.Flops);
        Assert.Equal(4 * 3 * 32 * 32, cost.InputElements);
    }

    [Fact]
    public void Flops_of_yolox_nano_match_its_published_figure()
    {
        // Megvii publishes 1.08 GFLOPs for YOLOX-nano at 416×416 (thop's multiply-adds doubled, with batch norms and
        // activations, which the exported graph has folded away or we do not count).
        var cost = FlopCounter.Count("yolox-nano", RealModels.Shared("yolox_nano.onnx"), new Dictionary<string, long[]> { ["images"] = [1, 3, 416, 416] });
        Assert.InRange(cost.Flops, 1.0e9, 1.08e9);
    }

    [Fact]
    public void A_missing_input_shape_is_named()
    {
        var error = Assert.Throws<ArgumentException>(() => FlopCounter.Count("yolox-nano", RealModels.Shared("yolox_nano.onnx"), new Dictionary<string, long[]>()));
        Assert.StartsWith("model 'yolox-nano': no shape given for input(s) images", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
