using Tsunami.Inference.Repository;

namespace Tsunami.Inference.Clip;

public static class ClipTokenizers
{
    /// <summary>OpenAI CLIP's vocabulary (the manifest's clip-vocab and clip-merges), resolved like any model file.</summary>
    public static async Task<ClipTokenizer> DefaultAsync(ModelResolver resolver, ModelOptions options, CancellationToken cancellationToken)
    {
        var manifest = ModelManifest.Load(options.Manifest);
        var vocabulary = await resolver.ResolveAsync(manifest.Find("clip-vocab"), cancellationToken);
        var merges = await resolver.ResolveAsync(manifest.Find("clip-merges"), cancellationToken);
        return ClipTokenizer.FromFiles(vocabulary.Path, merges.Path);
    }
}
