using System.Numerics;
using Tsunami.Core.Imaging;
using Tsunami.Inference.Onnx;
using Tsunami.Inference.Vision;

namespace Tsunami.Inference.Text;

/// <summary>
/// PP-OCRv4 text detection with DB post-processing: probability map → 8-connected regions → minimum-area
/// rectangles, scored, expanded ("unclipped") and mapped back to the image (../shared/models/MODELS.md).
/// </summary>
internal sealed class TextDetector(IModelRunner model)
{
    private const float PixelThreshold = 0.3f;
    private const float BoxThreshold = 0.6f;
    private const float UnclipRatio = 1.5f;
    private const int MaxCandidates = 1000;
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    public static readonly ModelSignature Signature = new(
        [new TensorSpec("x", typeof(float), [-1, 3, -1, -1])],
        [new TensorSpec("sigmoid_0.tmp_0", typeof(float), [-1, 1, -1, -1])]);

    /// <summary>Finds text lines at the image's own resolution (the caller picks it), in its pixels.</summary>
    public async Task<IReadOnlyList<Quad>> DetectAsync(RgbImage image, CancellationToken cancellationToken)
    {
        // Sides padded up to multiples of 32 with the mean colour (0 once normalised), not stretched to them.
        var width = (image.Width + 31) / 32 * 32;
        var height = (image.Height + 31) / 32 * 32;
        var tensor = new float[3 * width * height];
        // BGR, with ImageNet mean/std applied to the channels in that order (PaddleOCR's convention): plane c holds
        // source channel 2 − c as (v / 255 − mean[c]) / std[c].
        ReadOnlySpan<float> scale = [1 / (255f * Std[2]), 1 / (255f * Std[1]), 1 / (255f * Std[0])];
        ReadOnlySpan<float> offset = [-Mean[2] / Std[2], -Mean[1] / Std[1], -Mean[0] / Std[0]];
        ModelInputs.Planes(image, tensor, width, bgr: true, scale, offset);
        using var outputs = await model.RunAsync([new ModelInput("x", [1, 3, height, width], tensor)], ["sigmoid_0.tmp_0"], cancellationToken);
        return Boxes(outputs.Data(0), width, height)
            .Select(q => Clip(q, image.Width, image.Height))
            .ToList();
    }

    private static Quad Clip(Quad q, int width, int height) =>
        new(Clamp(q.TopLeft, width, height), Clamp(q.TopRight, width, height), Clamp(q.BottomRight, width, height), Clamp(q.BottomLeft, width, height));

    private static List<Quad> Boxes(ReadOnlySpan<float> probabilities, int width, int height)
    {
        var label = new int[width * height];
        var quads = new List<Quad>();
        var stack = new Stack<int>();
        var next = 0;
        for (var start = 0; start < label.Length && quads.Count < MaxCandidates; start++)
        {
            if (probabilities[start] <= PixelThreshold || label[start] != 0)
            {
                continue;
            }
            next++;
            var boundary = new List<Vector2>();
            label[start] = next;
            stack.Push(start);
            while (stack.TryPop(out var index))
            {
                var (x, y) = (index % width, index / width);
                var inside = 0;
                for (var dy = -1; dy <= 1; dy++)
                {
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        var (nx, ny) = (x + dx, y + dy);
                        if ((dx == 0 && dy == 0) || nx < 0 || ny < 0 || nx >= width || ny >= height)
                        {
                            continue;
                        }
                        var n = (ny * width) + nx;
                        if (probabilities[n] > PixelThreshold)
                        {
                            inside++;
                            if (label[n] == 0)
                            {
                                label[n] = next;
                                stack.Push(n);
                            }
                        }
                    }
                }
                if (inside < 8)
                {
                    boundary.Add(new Vector2(x, y));
                }
            }
            if (ToBox(boundary, probabilities, width, height) is { } quad)
            {
                quads.Add(quad);
            }
        }
        return quads;
    }

    private static Quad? ToBox(List<Vector2> boundary, ReadOnlySpan<float> probabilities, int width, int height)
    {
        if (boundary.Count < 4)
        {
            return null;
        }
        var (center, u, v, w, h) = Geometry.MinimumAreaRectangle(boundary);
        if (Math.Min(w, h) < 3)
        {
            return null;
        }
        var box = Geometry.Corners(center, u, v, w, h);
        if (MeanInside(box, probabilities, width, height) < BoxThreshold)
        {
            return null;
        }
        // Unclip: DB shrinks text regions when training; grow the box back by area × ratio / perimeter.
        var distance = w * h * UnclipRatio / (2 * (w + h));
        var (grownWidth, grownHeight) = (w + (2 * distance), h + (2 * distance));
        if (Math.Min(grownWidth, grownHeight) < 5)
        {
            return null;
        }
        var grown = Geometry.Corners(center, u, v, grownWidth, grownHeight);
        return new Quad(Clamp(grown.TopLeft, width, height), Clamp(grown.TopRight, width, height),
            Clamp(grown.BottomRight, width, height), Clamp(grown.BottomLeft, width, height));
    }

    private static float MeanInside(Quad box, ReadOnlySpan<float> probabilities, int width, int height)
    {
        var xs = new[] { box.TopLeft.X, box.TopRight.X, box.BottomRight.X, box.BottomLeft.X };
        var ys = new[] { box.TopLeft.Y, box.TopRight.Y, box.BottomRight.Y, box.BottomLeft.Y };
        var (x0, x1) = (Math.Max(0, (int)Math.Floor(xs.Min())), Math.Min(width - 1, (int)Math.Ceiling(xs.Max())));
        var (y0, y1) = (Math.Max(0, (int)Math.Floor(ys.Min())), Math.Min(height - 1, (int)Math.Ceiling(ys.Max())));
        double sum = 0;
        var count = 0;
        for (var y = y0; y <= y1; y++)
        {
            for (var x = x0; x <= x1; x++)
            {
                if (box.Contains(new Vector2(x, y)))
                {
                    sum += probabilities[(y * width) + x];
                    count++;
                }
            }
        }
        return count == 0 ? 0 : (float)(sum / count);
    }

    private static Vector2 Clamp(Vector2 p, int width, int height) => new(Math.Clamp(p.X, 0, width), Math.Clamp(p.Y, 0, height));
}
