using Tsunami.Core.Enrichment;
using Tsunami.Core.Imaging;
using Tsunami.Inference.Onnx;

namespace Tsunami.Inference.Vision;

/// <summary>YuNet (OpenCV zoo, 2023mar): face boxes and landmarks.</summary>
public sealed class FaceDetector(IModelRunner model, float scoreThreshold = 0.6f, float iouThreshold = 0.3f)
{
    public const int Size = 640;
    private static readonly int[] Strides = [8, 16, 32];
    private static readonly string[] OutputNames =
        [.. Strides.SelectMany(s => new[] { $"cls_{s}", $"obj_{s}", $"bbox_{s}", $"kps_{s}" })];

    public static readonly ModelSignature Signature = new(
        [new TensorSpec("input", typeof(float), [1, 3, Size, Size])],
        [.. Strides.SelectMany(s => new[]
        {
            new TensorSpec($"cls_{s}", typeof(float), [1, Cells(s), 1]),
            new TensorSpec($"obj_{s}", typeof(float), [1, Cells(s), 1]),
            new TensorSpec($"bbox_{s}", typeof(float), [1, Cells(s), 4]),
            new TensorSpec($"kps_{s}", typeof(float), [1, Cells(s), 10]),
        })]);

    public async Task<IReadOnlyList<DetectedFace>> DetectAsync(RgbImage image, CancellationToken cancellationToken = default)
    {
        var (tensor, ratio) = ModelInputs.Letterbox(image, Size, fill: 0, bgr: true);
        using var outputs = await model.RunAsync([new ModelInput("input", [1, 3, Size, Size], tensor)], OutputNames, cancellationToken);
        var candidates = new List<DetectedFace>();
        for (var s = 0; s < Strides.Length; s++)
        {
            Decode(Strides[s], outputs.Data(4 * s), outputs.Data((4 * s) + 1), outputs.Data((4 * s) + 2), outputs.Data((4 * s) + 3), ratio, candidates);
        }
        return NonMaximumSuppression.Apply(candidates, f => f.Score, f => f.Box, iouThreshold);
    }

    private void Decode(int stride, ReadOnlySpan<float> cls, ReadOnlySpan<float> obj, ReadOnlySpan<float> bbox, ReadOnlySpan<float> kps, float ratio, List<DetectedFace> faces)
    {
        var columns = Size / stride;
        for (var i = 0; i < cls.Length; i++)
        {
            var score = MathF.Sqrt(Math.Clamp(cls[i], 0, 1) * Math.Clamp(obj[i], 0, 1));
            if (score < scoreThreshold)
            {
                continue;
            }
            var (c, r) = (i % columns, i / columns);
            var b = bbox.Slice(i * 4, 4);
            var cx = (c + b[0]) * stride;
            var cy = (r + b[1]) * stride;
            var w = MathF.Exp(b[2]) * stride;
            var h = MathF.Exp(b[3]) * stride;
            var k = kps.Slice(i * 10, 10);
            var landmarks = new float[10];
            for (var j = 0; j < 5; j++)
            {
                landmarks[2 * j] = (k[2 * j] + c) * stride / ratio;
                landmarks[(2 * j) + 1] = (k[(2 * j) + 1] + r) * stride / ratio;
            }
            faces.Add(new DetectedFace(score, new Box((cx - (w / 2)) / ratio, (cy - (h / 2)) / ratio, w / ratio, h / ratio), landmarks));
        }
    }

    private static long Cells(int stride) => (long)(Size / stride) * (Size / stride);
}
