using System.Text;

namespace Tsunami.Query.Plan;

/// <summary>
/// What a question asks, in a form the executor runs: conditions that filter (things, text, time, place, tags,
/// collection, quality, counts, negations), terms that rank, and whether a count is wanted. Made by
/// <see cref="Parsing.QuestionParser"/>; <see cref="Explain"/> prints it.
/// </summary>
public sealed record QueryPlan
{
    public required string Question { get; init; }

    /// <summary>"how many …": the answer leads with the number of matching photos.</summary>
    public bool AsksCount { get; init; }

    public IReadOnlyList<ThingTerm> Things { get; init; } = [];
    public IReadOnlyList<TextTerm> Texts { get; init; } = [];
    public IReadOnlyList<QualityTerm> Quality { get; init; } = [];
    public IReadOnlyList<TagTerm> Tags { get; init; } = [];
    public TimeRange? Time { get; init; }
    public GeoCircle? Near { get; init; }
    public string? Collection { get; init; }

    /// <summary>An asset id or id prefix: rank by visual similarity to it.</summary>
    public string? SimilarTo { get; init; }

    /// <summary>Words the parser could not place, as typed.</summary>
    public IReadOnlyList<string> Ignored { get; init; } = [];

    public bool IsEmpty => Things.Count == 0 && Texts.Count == 0 && Quality.Count == 0 && Tags.Count == 0
        && Time is null && Near is null && Collection is null && SimilarTo is null;

    public string Explain()
    {
        var text = new StringBuilder();
        text.AppendLine($"question: {Question}");
        text.AppendLine($"answer: {(AsksCount ? "count of matching photos, then the photos" : "matching photos, best first")}");
        foreach (var thing in Things)
        {
            text.AppendLine($"thing: {(thing.Negated ? "NOT " : "")}\"{thing.Phrase}\"{(thing.Count is { } c ? $" count {c}" : "")}");
        }
        foreach (var term in Texts)
        {
            text.AppendLine($"text in photo: {(term.Negated ? "NOT " : "")}\"{term.Text}\" (fuzzy, OCR noise tolerated)");
        }
        foreach (var quality in Quality)
        {
            text.AppendLine($"quality: {(quality.Negated ? "NOT " : "")}{quality.Flag}");
        }
        foreach (var tag in Tags)
        {
            text.AppendLine($"tag: {(tag.Negated ? "NOT " : "")}{tag.Key}={tag.Value}");
        }
        if (Time is { } time)
        {
            text.AppendLine($"taken: {time}");
        }
        if (Near is { } near)
        {
            text.AppendLine($"place: {near}");
        }
        if (Collection is { } collection)
        {
            text.AppendLine($"collection: {collection}");
        }
        if (SimilarTo is { } similar)
        {
            text.AppendLine($"similar to: {similar} (visual embedding)");
        }
        if (Ignored.Count > 0)
        {
            text.AppendLine($"not understood: {string.Join(", ", Ignored.Select(w => $"\"{w}\""))}");
        }
        return text.ToString();
    }
}

/// <summary>Something seen in the photo: an object, a scene label or a broader concept, or a word the semantic space knows.</summary>
public sealed record ThingTerm(string Phrase, bool Negated = false, CountRange? Count = null);

/// <summary>How many of a thing a photo must show, both ends inclusive.</summary>
public sealed record CountRange(int Min, int Max)
{
    public bool Contains(int count) => count >= Min && count <= Max;

    public override string ToString() => (Min, Max) switch
    {
        var (min, max) when min == max => $"exactly {min}",
        (var min, int.MaxValue) => $"at least {min}",
        (0, var max) => $"at most {max}",
        var (min, max) => $"{min} to {max}",
    };
}

/// <summary>Text written in the photo, matched against what OCR read.</summary>
public sealed record TextTerm(string Text, bool Negated = false);

/// <summary>A quality flag: blurry, dark, overexposed, low-resolution.</summary>
public sealed record QualityTerm(string Flag, bool Negated = false);

public sealed record TagTerm(string Key, string Value, bool Negated = false);

/// <summary>Capture time from <see cref="From"/> (inclusive) to <see cref="To"/> (exclusive).</summary>
public sealed record TimeRange(DateTimeOffset From, DateTimeOffset To, string Phrase)
{
    public override string ToString() =>
        $"\"{Phrase}\" = {From.UtcDateTime:yyyy-MM-dd HH:mm} to {To.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
}

public sealed record GeoCircle(double Latitude, double Longitude, double RadiusKm)
{
    public override string ToString() => FormattableString.Invariant($"within {RadiusKm:0.###} km of {Latitude:0.#####},{Longitude:0.#####}");
}
