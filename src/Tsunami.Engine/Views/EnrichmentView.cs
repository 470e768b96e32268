using Tsunami.Core.Enrichment;

namespace Tsunami.Engine.Views;

/// <summary>What enrichment found in a photo, as `show` and the API show it; stages never run are left out.</summary>
public sealed record EnrichmentView(
    IReadOnlyList<ObjectView>? Objects,
    IReadOnlyDictionary<string, int>? ObjectCounts,
    IReadOnlyList<LabelView>? Labels,
    IReadOnlyList<string>? Concepts,
    IReadOnlyList<FaceView>? Faces,
    int? FaceCount,
    QualityReport? Quality,
    IReadOnlyList<string>? Text,
    IReadOnlyList<TextLineView>? TextLines,
    IReadOnlyList<ZeroShotView>? ZeroShot,
    IReadOnlyDictionary<string, string> Stages,
    IReadOnlyDictionary<string, string>? StageErrors)
{
    public static EnrichmentView From(AssetEnrichment e) => new(
        e.Objects?.Select(o => new ObjectView(o.Label, Round(o.Score), BoxView.From(o.Box))).ToList(),
        e.Objects?.GroupBy(o => o.Label).OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count()),
        e.Labels?.Select(l => new LabelView(l.Name, Round(l.Score), l.Synset)).ToList(),
        e.Concepts?.Select(c => c.Name).ToList(),
        e.Faces?.Select(f => new FaceView(Round(f.Score), BoxView.From(f.Box), [.. f.Landmarks.Select(v => MathF.Round(v, 1))])).ToList(),
        e.Faces?.Count,
        e.Quality,
        e.Text?.Select(t => t.Text).ToList(),
        e.Text?.Select(t => new TextLineView(t.Text, MathF.Round(t.Confidence, 3), [.. t.Quad.Select(v => MathF.Round(v, 1))])).ToList(),
        e.ZeroShot?.Select(z => new ZeroShotView(z.Label, Round(z.Score))).ToList(),
        e.Versions,
        e.Errors.Count > 0 ? e.Errors : null);

    private static float Round(float score) => MathF.Round(score, 3);
}

public sealed record ObjectView(string Label, float Score, BoxView Box);

public sealed record LabelView(string Label, float Score, string Synset);

public sealed record ZeroShotView(string Label, float Score);

public sealed record TextLineView(string Text, float Confidence, float[] Quad);

public sealed record FaceView(float Score, BoxView Box, float[] Landmarks);

public sealed record BoxView(float X, float Y, float Width, float Height)
{
    public static BoxView From(Box box) => new(MathF.Round(box.X, 1), MathF.Round(box.Y, 1), MathF.Round(box.Width, 1), MathF.Round(box.Height, 1));
}
