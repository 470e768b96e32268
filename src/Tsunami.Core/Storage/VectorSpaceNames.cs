namespace Tsunami.Core.Storage;

/// <summary>The spaces the enrichment store keeps vectors in, one per kind of embedding.</summary>
public static class VectorSpaceNames
{
    /// <summary>MobileNetV2's pooled features: "photos like this one".</summary>
    public const string Visual = "visual";

    /// <summary>ConSE vectors in GloVe's word space: words no label names.</summary>
    public const string Semantic = "semantic";

    /// <summary>A CLIP model's photo embeddings.</summary>
    public const string Clip = "clip";
}
