namespace Tsunami.Query.Parsing;

/// <summary>
/// What the parser needs from outside the question: the time "now" that relative dates count from, and the
/// collection names and tag keys the store knows, so that "from site 12" reads as the tag site=12.
/// </summary>
public sealed record QuestionContext(DateTimeOffset Now)
{
    public IReadOnlyCollection<string> Collections { get; init; } = [];
    public IReadOnlyCollection<string> TagKeys { get; init; } = [];
}
