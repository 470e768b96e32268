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

    public float ScoreOf(long key)
    {
        var index = Array.BinarySearch(Keys, key);
        return index >= 0 && Scores is not null ? Scores[index] : float.NegativeInfinity;
    }
}
