namespace Tsunami.Engine.Clip;

/// <summary>CLIP-family models: where they are installed, which one is used, and how. Section "Clip".</summary>
public sealed class ClipOptions
{
    public const string Section = "Clip";

    /// <summary>The folder of installed model sets, one sub-folder each. Empty: &lt;data&gt;/clip.</summary>
    public string Folder { get; set; } = "";

    /// <summary>The model set to use; empty: the only one installed (the first by name when there are several); "none": no CLIP.</summary>
    public string Model { get; set; } = "";

    /// <summary>Where `models pull NAME` downloads from: &lt;mirror&gt;/&lt;name&gt;/manifest.json lists the files and their SHA-256.</summary>
    public string Mirror { get; set; } = "";

    /// <summary>How a thing becomes text for the text tower ({0}: the thing).</summary>
    public string Prompt { get; set; } = "a photo of {0}";

    /// <summary>Concepts scored on every photo (zero-shot), stored as concepts when likely enough. None configured: <see cref="QualityControlLabels"/>.</summary>
    public List<string> ZeroShotLabels { get; set; } = [];

    public static readonly IReadOnlyList<string> QualityControlLabels = ["corrosion", "missing safety sign", "hard hat"];

    /// <summary>A zero-shot label is stored when its probability against a plain "a photo" is above this.</summary>
    public double ZeroShotThreshold { get; set; } = 0.5;

    /// <summary>CLIP's logit scale: cosine similarities times this before the softmax (100 for OpenAI's models).</summary>
    public double LogitScale { get; set; } = 100;

    /// <summary>When a question's thing is matched by meaning only, photos at this text–image cosine or above match.</summary>
    public double MatchThreshold { get; set; } = 0.2;

    public int MaxBatchSize { get; set; } = 32;

    public long MaxQueueDelayMicroseconds { get; set; } = 2000;
}
