namespace Tsunami.Inference.Repository;

/// <summary>Where model files are looked for, in order. Section "Models" of the configuration.</summary>
public sealed class ModelOptions
{
    public const string Section = "Models";

    /// <summary>The manifest: every model with its file name, accepted SHA-256 digests and upstream address.</summary>
    public string Manifest { get; set; } = Path.Combine(AppContext.BaseDirectory, "config", "models.json");

    /// <summary>A read-only folder of model files checked beforehand (the team's ../shared/models).</summary>
    public string? SharedDirectory { get; set; }

    /// <summary>Where downloaded models are kept; defaults to ~/.cache/tsunami/models.</summary>
    public string CacheDirectory { get; set; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "tsunami", "models");

    /// <summary>Download a model that is neither shared nor cached. Off makes a missing model an error.</summary>
    public bool AllowDownload { get; set; } = true;
}
