using Tsunami.Core.Enrichment;
using Tsunami.Query.Plan;

namespace Tsunami.Engine.Ask;

/// <summary>
/// The answer to a question: the plan it ran, how many photos match (all of them, not only those listed), the
/// best <see cref="Results"/> with their evidence, and notes on what was not understood or what was done instead.
/// </summary>
public sealed record Answer(QueryPlan Plan, int Matches, IReadOnlyList<AskResult> Results, IReadOnlyList<string> Notes)
{
    /// <summary>The answer in words: "12 photos show horses", "No photo matches".</summary>
    public string Summary => Matches switch
    {
        0 => "No photo matches.",
        1 => "1 photo matches.",
        _ => $"{Matches} photos match.",
    };
}

public sealed record AskResult(string Id, string Collection, string Path, double Score, IReadOnlyList<Evidence> Evidence);

/// <summary>Why a photo matched: what kind of evidence, what it says, its score and, for things seen, where.</summary>
public sealed record Evidence(string Kind, string What, double? Score = null, Box? Box = null);
