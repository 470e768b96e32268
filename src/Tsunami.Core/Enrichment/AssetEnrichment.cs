using Tsunami.Core.Assets;

namespace Tsunami.Core.Enrichment;

/// <summary>
/// What one enrichment pass found in one photo. A stage's list is null when that stage did not run in this pass;
/// <see cref="Versions"/> names the stages that ran (stage → version) and <see cref="Errors"/> those that failed.
/// </summary>
public sealed record AssetEnrichment(AssetId Asset)
{
    public IReadOnlyDictionary<string, string> Versions { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Errors { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<DetectedObject>? Objects { get; init; }
    public IReadOnlyList<ImageLabel>? Labels { get; init; }
    public IReadOnlyList<Concept>? Concepts { get; init; }
    public IReadOnlyList<DetectedFace>? Faces { get; init; }

    /// <summary>The thumbnail with the faces blurred, stored when the faces stage found any (its blob is already written).</summary>
    public Assets.DerivedFile? PrivateThumbnail { get; init; }

    /// <summary>Text lines read in the photo, in reading order.</summary>
    public IReadOnlyList<TextLine>? Text { get; init; }
    public QualityReport? Quality { get; init; }

    /// <summary>The classifier's L2-normalised visual embedding ("photos like this one").</summary>
    public float[]? Embedding { get; init; }

    /// <summary>The photo in the GloVe semantic space: what the models named in it, as one unit vector.</summary>
    public float[]? Semantic { get; init; }

    /// <summary>The photo's unit vector in the installed CLIP model's space.</summary>
    public float[]? Clip { get; init; }

    /// <summary>The configured zero-shot labels the CLIP model found likely enough, most likely first.</summary>
    public IReadOnlyList<ZeroShotLabel>? ZeroShot { get; init; }
}
