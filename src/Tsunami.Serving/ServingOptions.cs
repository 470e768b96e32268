namespace Tsunami.Serving;

/// <summary>The model server's repository and limits. Section "Serving" of the configuration.</summary>
public sealed class ServingOptions
{
    public const string Section = "Serving";

    /// <summary>The model repository: one folder per model, config.json beside numbered version folders. Empty: &lt;data&gt;/models.</summary>
    public string Repository { get; set; } = "";

    /// <summary>The configurations of the default models served from the manifest's files.</summary>
    public string BuiltInModels { get; set; } = Path.Combine(AppContext.BaseDirectory, "config", "serving.json");

    /// <summary>Requests a model's queue holds when its configuration names no max_queue_size.</summary>
    public int DefaultMaxQueueSize { get; set; } = 256;

    /// <summary>Largest inference request body in bytes; larger ones are refused before they are read.</summary>
    public long MaxRequestBytes { get; set; } = 64 * 1024 * 1024;
}
