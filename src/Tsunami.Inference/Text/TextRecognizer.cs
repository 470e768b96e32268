using System.Numerics.Tensors;
using Tsunami.Core.Imaging;
using Tsunami.Inference.Onnx;
using Tsunami.Inference.Vision;

namespace Tsunami.Inference.Text;

/// <summary>
/// PP-OCRv4 recognition: a line image at height 48, padded to a bucketed width so shapes repeat (a new width
/// costs ONNX Runtime 100–300 ms the first time), greedy CTC decoding over blank + the 6,623 keys + space.
/// Lines of one width run together up to <see cref="PixelsPerRun"/> columns a run: beyond that the activations
/// leave the cache and a wide line costs more in a batch than alone (1920 px: 89 ms alone, 125 ms in a batch of 4).
/// </summary>
internal sealed class TextRecognizer(IModelRunner model, string[] alphabet)
{
    public const int Height = 48;
    private const int MinWidth = 320;
    private const int WidthBucket = 160;
    private const int MaxWidth = 1920;
    private const int PixelsPerRun = 2560;
    private const float SpaceEvidence = 0.02f;

    public static readonly ModelSignature Signature = new(
        [new TensorSpec("x", typeof(float), [-1, 3, Height, -1])],
        [new TensorSpec("softmax_11.tmp_0", typeof(float), [-1, -1, 6625])]);

    /// <param name="alphabet">The keys file's lines; the model's classes are blank, these, then a space.</param>
    public static TextRecognizer Create(IModelRunner model, string keysPath)
    {
        var keys = File.ReadAllLines(keysPath);
        if (keys.Length != 6623)
        {
            throw new InvalidDataException($"{keysPath}: expected the 6,623 PP-OCR keys, found {keys.Length} lines");
        }
        return new TextRecognizer(model, ["", .. keys, " "]);
    }

    public IModelRunner Model => model;

    /// <summary>The same recogniser on another runner (one instance's session, to warm it up).</summary>
    public TextRecognizer On(IModelRunner runner) => new(runner, alphabet);

    public async Task<IReadOnlyList<(string Text, float Confidence)>> RecognizeAsync(IReadOnlyList<RgbImage> lines, CancellationToken cancellationToken)
    {
        var results = new (string, float)[lines.Count];
        var runs = lines.Select((image, index) => (image, index))
            .GroupBy(l => BucketWidth(l.image))
            .SelectMany(group => group.Chunk(Math.Clamp(PixelsPerRun / group.Key, 1, model.BatchLimit)).Select(members => (Width: group.Key, Members: members)));
        foreach (var (width, members) in runs)
        {
            var batch = new float[members.Length * 3 * Height * width];
            for (var i = 0; i < members.Length; i++)
            {
                ModelInputs.TextLine(members[i].image, Height, width, batch.AsSpan(i * 3 * Height * width, 3 * Height * width));
            }
            using var outputs = await model.RunAsync([new ModelInput("x", [members.Length, 3, Height, width], batch)], ["softmax_11.tmp_0"], cancellationToken);
            var shape = outputs.Shape(0);
            var (steps, classes) = ((int)shape[1], (int)shape[2]);
            for (var i = 0; i < members.Length; i++)
            {
                results[members[i].index] = Decode(outputs.Data(0).Slice(i * steps * classes, steps * classes), steps, classes);
            }
        }
        return results;
    }

    private static int ScaledWidth(RgbImage image) => (int)Math.Ceiling(Height * (double)image.Width / image.Height);

    private static int BucketWidth(RgbImage image) =>
        Math.Min(MaxWidth, Math.Max(MinWidth, (ScaledWidth(image) + WidthBucket - 1) / WidthBucket * WidthBucket));

    /// <summary>
    /// On some crops the model reads every letter of a Latin line but no space ("HIGHVOLTAGE42"), yet between the
    /// words the space class still gets 0.04–0.25 of the probability, against under 0.01 inside words (measured on
    /// rendered signs). In a line with no space at all, such a gap becomes a space; other lines are left as read.
    /// </summary>
    private static string RestoreSpaces(string text, List<int> times, float[] spaceProbabilities)
    {
        if (text.Length < 2 || text.Contains(' ', StringComparison.Ordinal) || !text.All(char.IsAscii))
        {
            return text;
        }
        var spaced = new System.Text.StringBuilder().Append(text[0]);
        for (var i = 1; i < text.Length; i++)
        {
            var gap = spaceProbabilities.AsSpan(times[i - 1], times[i] - times[i - 1]);
            if (TensorPrimitives.Max(gap) >= SpaceEvidence && char.IsLetterOrDigit(text[i - 1]) && char.IsLetterOrDigit(text[i]))
            {
                spaced.Append(' ');
            }
            spaced.Append(text[i]);
        }
        return spaced.ToString();
    }

    private (string, float) Decode(ReadOnlySpan<float> probabilities, int steps, int classes)
    {
        var text = new System.Text.StringBuilder();
        var previous = 0;
        double confidence = 0;
        var emitted = 0;
        var times = new List<int>();
        var spaceProbabilities = new float[steps];
        for (var t = 0; t < steps; t++)
        {
            var row = probabilities.Slice(t * classes, classes);
            spaceProbabilities[t] = row[classes - 1];
            var best = TensorPrimitives.IndexOfMax(row);
            if (best != 0 && best != previous)
            {
                text.Append(alphabet[best]);
                times.Add(t);
                confidence += row[best];
                emitted++;
            }
            previous = best;
        }
        var decoded = text.ToString();
        return (RestoreSpaces(decoded, times, spaceProbabilities).Trim(), emitted == 0 ? 0 : (float)(confidence / emitted));
    }
}
