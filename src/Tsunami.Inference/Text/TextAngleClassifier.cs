using Tsunami.Core.Imaging;
using Tsunami.Inference.Onnx;
using Tsunami.Inference.Vision;

namespace Tsunami.Inference.Text;

/// <summary>PP-OCR's angle classifier: the probability that a line image is upside down.</summary>
internal sealed class TextAngleClassifier(IModelRunner model)
{
    private const int Height = 48;
    private const int Width = 192;

    public static readonly ModelSignature Signature = new(
        [new TensorSpec("x", typeof(float), [-1, 3, -1, -1])],
        [new TensorSpec("softmax_0.tmp_0", typeof(float), [-1, 2])]);

    public async Task<float[]> UpsideDownProbabilitiesAsync(IReadOnlyList<RgbImage> lines, CancellationToken cancellationToken)
    {
        var upsideDown = new float[lines.Count];
        var done = 0;
        foreach (var run in lines.Chunk(model.BatchLimit))
        {
            var batch = new float[run.Length * 3 * Height * Width];
            for (var i = 0; i < run.Length; i++)
            {
                ModelInputs.TextLine(run[i], Height, Width, batch.AsSpan(i * 3 * Height * Width, 3 * Height * Width));
            }
            using var outputs = await model.RunAsync([new ModelInput("x", [run.Length, 3, Height, Width], batch)], ["softmax_0.tmp_0"], cancellationToken);
            var probabilities = outputs.Data(0);
            for (var i = 0; i < run.Length; i++)
            {
                upsideDown[done + i] = probabilities[(2 * i) + 1];
            }
            done += run.Length;
        }
        return upsideDown;
    }
}
