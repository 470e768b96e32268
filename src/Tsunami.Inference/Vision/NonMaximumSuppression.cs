using Tsunami.Core.Enrichment;

namespace Tsunami.Inference.Vision;

internal static class NonMaximumSuppression
{
    /// <summary>Greedy NMS, best score first; class-agnostic (it removes YOLOX's duplicate cat-on-dog, see MODELS.md).</summary>
    public static List<T> Apply<T>(IEnumerable<T> candidates, Func<T, float> score, Func<T, Box> box, float iouThreshold)
    {
        var kept = new List<T>();
        foreach (var candidate in candidates.OrderByDescending(score))
        {
            var candidateBox = box(candidate);
            if (kept.TrueForAll(k => box(k).IntersectionOverUnion(candidateBox) <= iouThreshold))
            {
                kept.Add(candidate);
            }
        }
        return kept;
    }
}
