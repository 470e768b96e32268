using System.Numerics.Tensors;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Imaging;
using Tsunami.Inference.Onnx;

namespace Tsunami.Inference.Vision;

/// <summary>What the classifier sees in a photo: its top labels and an L2-normalised visual embedding.</summary>
public sealed record Classification(IReadOnlyList<ImageLabel> Labels, float[] Embedding);

/// <summary>MobileNetV2 (ImageNet-1k, int8), batched: the top-k labels and the logits as a visual embedding.</summary>
public sealed class ImageClassifier(IModelRunner model, ImageNetClasses classes, int topK = 5)
{
    public const int Crop = 224;
    public const int Resize = 256;
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    public static readonly ModelSignature Signature = new(
        [new TensorSpec("input", typeof(float), [-1, 3, Crop, Crop])],
        [new TensorSpec("output", typeof(float), [-1, 1000])]);

    /// <summary>The images in runs of at most the model's batch limit.</summary>
    public async Task<IReadOnlyList<Classification>> ClassifyAsync(IReadOnlyList<RgbImage> images, CancellationToken cancellationToken = default)
    {
        var results = new List<Classification>(images.Count);
        foreach (var run in images.Chunk(model.BatchLimit))
        {
            var batch = new float[run.Length * 3 * Crop * Crop];
            for (var i = 0; i < run.Length; i++)
            {
                ModelInputs.CentreCropNormalised(run[i], Resize, Crop, Mean, Std, batch, i);
            }
            using var outputs = await model.RunAsync([new ModelInput("input", [run.Length, 3, Crop, Crop], batch)], ["output"], cancellationToken);
            for (var i = 0; i < run.Length; i++)
            {
                results.Add(Interpret(outputs.Data(0).Slice(i * classes.Count, classes.Count)));
            }
        }
        return results;
    }

    private Classification Interpret(ReadOnlySpan<float> logits)
    {
        var probabilities = new float[logits.Length];
        TensorPrimitives.SoftMax(logits, probabilities);
        var top = Enumerable.Range(0, probabilities.Length).OrderByDescending(i => probabilities[i]).Take(topK)
            .Select(i => new ImageLabel(classes.Name(i), probabilities[i], classes.Synset(i))).ToList();
        var embedding = logits.ToArray();
        var norm = TensorPrimitives.Norm(embedding);
        TensorPrimitives.Divide(embedding, norm > 0 ? norm : 1, embedding);
        return new Classification(top, embedding);
    }
}
