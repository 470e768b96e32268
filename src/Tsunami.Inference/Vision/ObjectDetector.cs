using System.Numerics.Tensors;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Imaging;
using Tsunami.Inference.Onnx;

namespace Tsunami.Inference.Vision;

/// <summary>YOLOX-nano (COCO-80): boxes, labels and scores after class-agnostic NMS.</summary>
public sealed class ObjectDetector(IModelRunner model, float scoreThreshold = 0.3f, float iouThreshold = 0.45f)
{
    public const int Size = 416;
    private const int Values = 85;
    private static readonly int[] Strides = [8, 16, 32];

    public static readonly ModelSignature Signature = new(
        [new TensorSpec("images", typeof(float), [1, 3, Size, Size])],
        [new TensorSpec("output", typeof(float), [1, 3549, Values])]);

    public async Task<IReadOnlyList<DetectedObject>> DetectAsync(RgbImage image, CancellationToken cancellationToken = default)
    {
        var (tensor, ratio) = ModelInputs.Letterbox(image, Size, fill: 114, bgr: true);
        using var outputs = await model.RunAsync([new ModelInput("images", [1, 3, Size, Size], tensor)], ["output"], cancellationToken);
        return Decode(outputs.Data(0), ratio);
    }

    private List<DetectedObject> Decode(ReadOnlySpan<float> rows, float ratio)
    {
        var candidates = new List<DetectedObject>();
        var row = 0;
        foreach (var stride in Strides)
        {
            var cells = Size / stride;
            for (var gy = 0; gy < cells; gy++)
            {
                for (var gx = 0; gx < cells; gx++, row++)
                {
                    var values = rows.Slice(row * Values, Values);
                    // Class scores are at most 1: a cell whose objectness is below the threshold cannot pass it.
                    if (values[4] < scoreThreshold)
                    {
                        continue;
                    }
                    var best = TensorPrimitives.IndexOfMax(values[5..]);
                    var score = values[4] * values[5 + best];
                    if (score < scoreThreshold)
                    {
                        continue;
                    }
                    var cx = (values[0] + gx) * stride;
                    var cy = (values[1] + gy) * stride;
                    var w = MathF.Exp(values[2]) * stride;
                    var h = MathF.Exp(values[3]) * stride;
                    var box = new Box((cx - (w / 2)) / ratio, (cy - (h / 2)) / ratio, w / ratio, h / ratio);
                    candidates.Add(new DetectedObject(CocoLabels.Names[best], score, box));
                }
            }
        }
        return NonMaximumSuppression.Apply(candidates, d => d.Score, d => d.Box, iouThreshold);
    }
}
