using Tsunami.Core.Enrichment;
using Tsunami.Core.Imaging;

namespace Tsunami.Inference.Text;

/// <summary>
/// Reads the text in a photo: detect lines, straighten them, turn the upside-down ones, recognise in batches, and
/// return them in reading order. Where the angle classifier is unsure and the upright reading is not confident, both
/// orientations are read and the more confident wins (the classifier misfires on small tilted text, MODELS.md).
/// </summary>
public sealed class OcrReader
{
    private const float SureUpsideDown = 0.9f;
    private const float Unsure = 0.5f;
    private const float MinimumConfidence = 0.75f;

    // A line read upright this confidently is upright, whatever the classifier thought: no second read (a page's
    // wide lines cost ~90 ms each to read).
    private const float ConfidentRead = 0.9f;

    // Lines at least this tall (in pixels of a 480 px view) are found as well in the gate as at full size.
    private const float TallEnoughAtGate = 16;
    private readonly TextDetector _detector;
    private readonly TextAngleClassifier _angles;
    private readonly TextRecognizer _recognizer;

    internal OcrReader(TextDetector detector, TextAngleClassifier angles, TextRecognizer recognizer)
    {
        _detector = detector;
        _angles = angles;
        _recognizer = recognizer;
    }

    /// <summary>Reads the text of <paramref name="image"/>, in its pixels.</summary>
    /// <param name="gate">
    /// The same photo smaller, where detection costs a quarter: it picks the resolution per photo. No text there,
    /// none is read; only lines tall enough to read there, their boxes are used as they are; small lines, and the
    /// full-size detection runs (the full detection alone cost 68 ms a photo here, see bench enrich).
    /// </param>
    public Task<IReadOnlyList<TextLine>> ReadAsync(RgbImage image, RgbImage? gate = null, CancellationToken cancellationToken = default) =>
        ReadAsync(new Lazy<RgbImage>(() => image), gate, cancellationToken);

    /// <summary>Reads the text of <paramref name="image"/>, in its pixels, made only if the gate finds text.</summary>
    public async Task<IReadOnlyList<TextLine>> ReadAsync(Lazy<RgbImage> image, RgbImage? gate = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<Quad> found;
        if (gate is not null)
        {
            var coarse = await _detector.DetectAsync(gate, cancellationToken);
            if (coarse.Count == 0)
            {
                return [];
            }
            var scale = (float)image.Value.Width / gate.Width;
            found = scale == 1 ? coarse
                : scale > 1 && coarse.Min(q => Math.Min(q.Height, q.Width)) * 480f / Math.Max(gate.Width, gate.Height) >= TallEnoughAtGate
                    ? [.. coarse.Select(q => q.Scale(scale, scale))]
                    : await _detector.DetectAsync(image.Value, cancellationToken);
        }
        else
        {
            found = await _detector.DetectAsync(image.Value, cancellationToken);
        }
        var quads = ReadingOrder(found);
        if (quads.Count == 0)
        {
            return [];
        }
        var crops = quads.Select(q => LineCropper.Crop(image.Value, q)).ToList();
        var upsideDown = await _angles.UpsideDownProbabilitiesAsync(crops, cancellationToken);
        var upright = crops.Select((crop, i) => upsideDown[i] > SureUpsideDown ? LineCropper.Rotate180(crop) : crop).ToList();
        var read = (await _recognizer.RecognizeAsync(upright, cancellationToken)).ToArray();

        var unsure = Enumerable.Range(0, crops.Count)
            .Where(i => upsideDown[i] is > Unsure and <= SureUpsideDown && read[i].Confidence < ConfidentRead).ToList();
        if (unsure.Count > 0)
        {
            var flipped = await _recognizer.RecognizeAsync(unsure.Select(i => LineCropper.Rotate180(crops[i])).ToList(), cancellationToken);
            for (var k = 0; k < unsure.Count; k++)
            {
                if (flipped[k].Confidence > read[unsure[k]].Confidence)
                {
                    read[unsure[k]] = flipped[k];
                }
            }
        }

        return quads.Select((quad, i) => new TextLine(read[i].Text, MathF.Round(read[i].Confidence, 3), quad.ToArray()))
            .Where(line => line.Text.Length > 0 && line.Confidence >= MinimumConfidence)
            .ToList();
    }

    /// <summary>Top to bottom, and left to right within a line (boxes whose tops are within 10 px), as PaddleOCR sorts.</summary>
    private static List<Quad> ReadingOrder(IReadOnlyList<Quad> quads)
    {
        var sorted = quads.OrderBy(q => q.TopLeft.Y).ThenBy(q => q.TopLeft.X).ToList();
        for (var i = 0; i < sorted.Count - 1; i++)
        {
            for (var j = i; j >= 0 && Math.Abs(sorted[j + 1].TopLeft.Y - sorted[j].TopLeft.Y) < 10 && sorted[j + 1].TopLeft.X < sorted[j].TopLeft.X; j--)
            {
                (sorted[j], sorted[j + 1]) = (sorted[j + 1], sorted[j]);
            }
        }
        return sorted;
    }
}
