using Tsunami.Core.Enrichment;
using Tsunami.Core.Search;

namespace Tsunami.Engine.Ask;

/// <summary>
/// One condition of a plan, run: the assets it keeps (or, negated, removes), how it ranks them, and the evidence it
/// gives for one asset. <see cref="Keys"/> is sorted; <see cref="Scores"/>, when present, is aligned with it.
/// </summary>
internal sealed record Signal(string Name, long[] Keys, float[]? Scores = null)
{
    /// <summary>The keys are assets to remove, not to keep.</summary>
    public bool Excludes { get; init; }

    /// <summary>Ranks only: the keys are the assets it has a score for, and it keeps all candidates.</summary>
    public bool RanksOnly { get; init; }

    /// <summary>Higher is better: a score per key, or none where only membership is known.</summary>
    public bool Ranks => Scores is not null;

    public Func<AssetSummary, AssetEnrichment?, IEnumerable<Evidence>> Explain { get; init; } = (_, _) => [];

    /// <summary>Writes the score of each of <paramref name="candidates"/> (sorted), −∞ where it has none, walking both lists once.</summary>
    public void ScoresFor(long[] candidates, Span<float> scores)
    {
        var j = 0;
        for (var i = 0; i < candidates.Length; i++)
        {
            while (j < Keys.Length && Keys[j] < candidates[i])
            {
                j++;
            }
            scores[i] = j < Keys.Length && Keys[j] == candidates[i] && Scores is not null ? Scores[j] : float.NegativeInfinity;
        }
    }
}
