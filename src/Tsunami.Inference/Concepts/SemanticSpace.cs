using System.Collections.Concurrent;
using System.Numerics.Tensors;

namespace Tsunami.Inference.Concepts;

/// <summary>
/// A shared text-and-image space without CLIP (ConSE, Norouzi et al. 2014): a photo is the weighted mean of the
/// GloVe vectors of what the models named in it (labels by probability, objects by score), a question is the mean of
/// its words' vectors, and cosine similarity compares them, so "vehicle" or "pet" finds photos no label names so.
/// </summary>
public sealed class SemanticSpace(WordVectors words)
{
    private readonly ConcurrentDictionary<string, float[]?> _phrases = new(StringComparer.Ordinal);

    public float[]? EmbedConcepts(IEnumerable<(string Name, float Weight)> concepts)
    {
        var sum = new float[WordVectors.Dimensions];
        var any = false;
        foreach (var (name, weight) in concepts)
        {
            if (_phrases.GetOrAdd(name, words.Phrase) is { } vector)
            {
                TensorPrimitives.MultiplyAdd(vector, weight, sum, sum);
                any = true;
            }
        }
        return any ? WordVectors.Normalised(sum) : null;
    }

    public float[]? EmbedQuery(string text) => words.Phrase(text);

    public static float Similarity(float[] a, float[] b) => TensorPrimitives.Dot(a, b);
}
