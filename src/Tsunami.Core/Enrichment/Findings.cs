namespace Tsunami.Core.Enrichment;

/// <summary>An object the detector found: a COCO class name, its score and its box.</summary>
public sealed record DetectedObject(string Label, float Score, Box Box);

/// <summary>A face with its five landmarks (right eye, left eye, nose tip, right and left mouth corners) as x, y pairs.</summary>
public sealed record DetectedFace(float Score, Box Box, float[] Landmarks);

/// <summary>An ImageNet class the classifier gave, with its WordNet noun synset (e.g. n02110063).</summary>
public sealed record ImageLabel(string Name, float Score, string Synset);

/// <summary>A broader concept implied by the labels (malamute → dog → canine → animal), scored by the label that implies it.</summary>
public sealed record Concept(string Name, string Synset, float Score);

/// <summary>Measured quality and the flags QC asks about ("blurry", "dark", "overexposed", "low-resolution").</summary>
public sealed record QualityReport(double Sharpness, double Brightness, double DarkShare, double ClippedShare, double Megapixels, IReadOnlyList<string> Flags);

/// <summary>A line of text read in the photo: the text, the recogniser's confidence, and its quadrilateral (tl, tr, br, bl as x, y pairs).</summary>
public sealed record TextLine(string Text, float Confidence, float[] Quad)
{
    /// <summary>The upright box around the quadrilateral.</summary>
    public Box Bounds
    {
        get
        {
            var (left, right) = (Math.Min(Math.Min(Quad[0], Quad[2]), Math.Min(Quad[4], Quad[6])), Math.Max(Math.Max(Quad[0], Quad[2]), Math.Max(Quad[4], Quad[6])));
            var (top, bottom) = (Math.Min(Math.Min(Quad[1], Quad[3]), Math.Min(Quad[5], Quad[7])), Math.Max(Math.Max(Quad[1], Quad[3]), Math.Max(Quad[5], Quad[7])));
            return new Box(left, top, right - left, bottom - top);
        }
    }
}

/// <summary>A concept from a configured list that a CLIP model scored on the photo (probability against "a photo").</summary>
public sealed record ZeroShotLabel(string Label, float Score);
