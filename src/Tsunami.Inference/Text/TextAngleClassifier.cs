using Microsoft.ML.OnnxRuntime;
using Tsunami.Core.Imaging;
using Tsunami.Inference.Onnx;
using Tsunami.Inference.Vision;

namespace Tsunami.Inference.Text;

/// <summary>PP-OCR's angle classifier: the probability that a line image is upside down.</summary>
internal sealed class TextAngleClassifier(OnnxModel model)
{
    private const int Height = 48;
    private const int Width = 192;

    public static readonly ModelSignature Signature = new(
        [new TensorSpec("x", typeof(float), [-1, 3, -1, -1])],
        [new TensorSpec("softmax_0.tmp_0", typeof(float), [-1, 2])]);

    public float[] UpsideDownProbabilities(IReadOnlyList<RgbImage> lines)
    {
        if (lines.Count == 0)
        {
            return [];
        }
        var batch = new float[lines.Count * 3 * Height * Width];
        for (var i = 0; i < lines.Count; i++)
        {
            ModelInputs.TextLine(lines[i], Height, Width, batch.AsSpan(i * 3 * Height * Width, 3 * Height * Width));
        }
        using var input = OrtValue.CreateTensorValueFromMemory(batch, [lines.Count, 3, Height, Width]);
        using var outputs = model.Run(["x"], [input], ["softmax_0.tmp_0"]);
        var probabilities = outputs[0].GetTensorDataAsSpan<float>();
        var upsideDown = new float[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            upsideDown[i] = probabilities[(2 * i) + 1];
        }
        return upsideDown;
    }
}
