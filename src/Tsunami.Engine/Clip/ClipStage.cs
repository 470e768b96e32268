using System.Numerics.Tensors;
using System.Security.Cryptography;
using System.Text;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Imaging;

namespace Tsunami.Engine.Clip;

/// <summary>
/// The enrichment stage of an installed CLIP model: each photo's vector, and the configured zero-shot labels scored
/// against a plain "a photo" (the probability of the label's prompt over the plain one, CLIP's softmax of two).
/// </summary>
public sealed class ClipStage
{
    private const string Neutral = "a photo";
    private readonly ClipModel _model;
    private readonly IReadOnlyList<(string Label, float[] Vector)> _labels;
    private readonly float[] _neutral;
    private readonly ClipOptions _options;

    private ClipStage(ClipModel model, IReadOnlyList<(string Label, float[] Vector)> labels, float[] neutral, ClipOptions options)
    {
        _model = model;
        _labels = labels;
        _neutral = neutral;
        _options = options;
        var settings = string.Join('\n', labels.Select(l => l.Label).Prepend(options.Prompt).Append(options.ZeroShotThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Version = $"1/{model.Tag}/{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(settings)))[..8]}";
    }

    /// <summary>The model's tag and the zero-shot settings: changing either re-runs the stage.</summary>
    public string Version { get; }

    public ViewSize View => _model.View;

    public static async Task<ClipStage> CreateAsync(ClipModel model, ClipOptions options, CancellationToken cancellationToken)
    {
        var labels = options.ZeroShotLabels.Where(l => !string.IsNullOrWhiteSpace(l)).Distinct(StringComparer.Ordinal).ToList();
        var vectors = await model.EmbedTextsAsync([.. labels.Select(l => string.Format(System.Globalization.CultureInfo.InvariantCulture, options.Prompt, l)), Neutral], cancellationToken);
        return new ClipStage(model, [.. labels.Select((l, i) => (l, vectors[i]))], vectors[^1], options);
    }

    public async Task<(float[] Vector, IReadOnlyList<ZeroShotLabel> Labels)[]> RunAsync(IReadOnlyList<RgbImage> views, CancellationToken cancellationToken)
    {
        var vectors = await _model.EmbedImagesAsync(views, cancellationToken);
        return [.. vectors.Select(v => (v, ZeroShot(v)))];
    }

    private IReadOnlyList<ZeroShotLabel> ZeroShot(float[] image)
    {
        var plain = TensorPrimitives.Dot(image, _neutral);
        return _labels
            .Select(l => new ZeroShotLabel(l.Label, (float)(1 / (1 + Math.Exp(-_options.LogitScale * (TensorPrimitives.Dot(image, l.Vector) - plain))))))
            .Where(z => z.Score > _options.ZeroShotThreshold)
            .OrderByDescending(z => z.Score)
            .ToList();
    }
}
