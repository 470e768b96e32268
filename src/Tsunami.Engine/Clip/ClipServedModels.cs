using Microsoft.Extensions.Options;
using Tsunami.Inference.Clip;
using Tsunami.Serving.Repository;

namespace Tsunami.Engine.Clip;

/// <summary>
/// The installed CLIP model set as two served models, clip-visual and clip-textual, each with a dynamic batcher: the
/// pipeline, the server and remote clients share them. (A combined Hugging Face export serves its one file twice.)
/// </summary>
public sealed class ClipServedModels(ClipInstallation installation, IOptions<ClipOptions> options) : IModelProvider
{
    public const string Visual = "clip-visual";
    public const string Textual = "clip-textual";

    public IReadOnlyList<string> Names() => installation.Installed().Count > 0 && options.Value.Model != "none" ? [Visual, Textual] : [];

    public ModelLocation? Locate(string name)
    {
        if (name is not (Visual or Textual) || installation.Active() is not { } folder)
        {
            return null;
        }
        var config = new ModelConfig
        {
            Name = name,
            MaxBatchSize = options.Value.MaxBatchSize,
            DynamicBatching = new DynamicBatchingConfig { MaxQueueDelayMicroseconds = options.Value.MaxQueueDelayMicroseconds },
        };
        return new ModelLocation(config, "1", name == Visual ? folder.VisualModel : folder.TextModel, folder.Folder);
    }

    /// <summary>The version tag of what the set computes: its name and the sizes of its two model files.</summary>
    public static string Tag(ClipModelFolder folder) =>
        $"{folder.Name}:{new FileInfo(folder.VisualModel).Length:x}-{new FileInfo(folder.TextModel).Length:x}";
}
