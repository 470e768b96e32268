namespace Tsunami.Core.Enrichment;

/// <summary>The named stages of enrichment; each stores its results with the version that produced them.</summary>
public static class EnrichmentStage
{
    public const string Objects = "objects";
    public const string Labels = "labels";
    public const string Faces = "faces";
    public const string Quality = "quality";
    public const string Text = "text";

    /// <summary>The installed CLIP model's photo vector and zero-shot labels; runs only when one is installed.</summary>
    public const string Clip = "clip";

    public static readonly IReadOnlyList<string> All = [Objects, Labels, Faces, Text, Quality, Clip];

    /// <summary>What users may also call a stage.</summary>
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string> { ["ocr"] = Text };

    /// <summary>The stage a name given by a user means, in any case; null for none.</summary>
    public static string? Resolve(string name)
    {
        var lower = name.Trim().ToLowerInvariant();
        return Aliases.TryGetValue(lower, out var stage) ? stage : All.FirstOrDefault(s => s == lower);
    }
}
