using System.Globalization;
using System.Text.RegularExpressions;
using Tsunami.Query.Plan;

namespace Tsunami.Query.Parsing;

/// <summary>
/// Turns an English question into a <see cref="QueryPlan"/>, deterministically: each kind of condition is found by
/// its pattern and taken out of the question (quoted and unquoted text, counts, time, place, similarity, tags,
/// collections, quality, negations); the words left are the things to look for, split at fillers ("photos with a")
/// and relations ("riding"). Words it cannot place are kept in <see cref="QueryPlan.Ignored"/>, never guessed at.
/// </summary>
public static partial class QuestionParser
{
    private const string Negation = @"without|with\s+no|no|not|lacking|lacks?|lack\s+of|missing|excluding|except";

    [GeneratedRegex(@"[“”„]")]
    private static partial Regex CurlyDoubleQuotes();

    [GeneratedRegex(@"[‘’]")]
    private static partial Regex CurlySingleQuotes();

    [GeneratedRegex($@"(?:\b(?<neg>{Negation})\s+)?(?:(?:the|a|an)\s+)?(?:(?:text|word|words|writing|inscription|labels?|signs?|stickers?|plates?)\s+)?(?:(?:that|which)\s+)?(?:(?:say|says|saying|read|reads|reading)\s+)?(?:""(?<t>[^""]+)""|(?<![\w])'(?<t>[^']+)'(?![\w]))", RegexOptions.IgnoreCase)]
    private static partial Regex Quoted();

    [GeneratedRegex($@"(?:\b(?<neg>{Negation})\s+)?(?:\b(?:with|showing|containing|bearing|having|has)\s+)?(?:(?:the|a|an)\s+)?\b(?:text|word|words|writing|inscription)\s+(?<t>.+?)(?=\s+(?:{Vocabulary.TextBoundary})\b|\s*[,;?!]|\s*$)", RegexOptions.IgnoreCase)]
    private static partial Regex TextWord();

    [GeneratedRegex($@"(?:\b(?:labels?|signs?|stickers?|plates?|placards?|notices?|boards?|tags?)\s+)?(?:\b(?:that|which)\s+)?\b(?:say|says|saying|read|reads|reading|written)\s+(?<t>.+?)(?=\s+(?:{Vocabulary.TextBoundary})\b|\s*[,;?!]|\s*$)", RegexOptions.IgnoreCase)]
    private static partial Regex SayWord();

    [GeneratedRegex(@"^\s*how\s+many\b", RegexOptions.IgnoreCase)]
    private static partial Regex HowMany();

    [GeneratedRegex(@"\b(?:like|similar\s+to|resembling|looking\s+like)\s+(?:(?:the\s+)?(?:asset|photo|picture|image)\s+)?(?<id>[0-9a-f]{8}[0-9a-f-]*)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Similar();

    [GeneratedRegex(@"\b(?:within\s+(?<r>\d+(?:\.\d+)?)\s*(?<u>km|kilometers?|kilometres?|m|meters?|metres?|mi|miles?)\s+(?:of|from|around)|near|around|close\s+to|at)\s+(?<lat>[-+]?\d{1,3}(?:\.\d+)?)\s*,\s*(?<lon>[-+]?\d{1,3}(?:\.\d+)?)(?:\s+within\s+(?<r2>\d+(?:\.\d+)?)\s*(?<u2>km|kilometers?|kilometres?|m|meters?|metres?|mi|miles?)\b)?", RegexOptions.IgnoreCase)]
    private static partial Regex Near();

    [GeneratedRegex(@"\b(?<k>[a-z][\w.-]*)\s*=\s*(?<v>[\w.-]+)", RegexOptions.IgnoreCase)]
    private static partial Regex TagLiteral();

    [GeneratedRegex(@"\bcollection\s+(?<name>[\w.-]+)", RegexOptions.IgnoreCase)]
    private static partial Regex NamedCollection();

    [GeneratedRegex($@"(?:\b(?<neg>not|isn't|aren't|never|non-?)\s*)?\b(?<q>blurry|blurred|blurring|out\s+of\s+focus|unfocused|unsharp|fuzzy|sharp|in\s+focus|crisp|too\s+dark|dark|underexposed|under-exposed|dim|overexposed|over-exposed|too\s+bright|washed\s+out|blown\s+out|low[- ]?res(?:olution)?|high[- ]?res(?:olution)?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex QualityWord();

    [GeneratedRegex($@"\b(?<op>more\s+than|greater\s+than|over|above|at\s+least|no\s+fewer\s+than|no\s+less\s+than|fewer\s+than|less\s+than|under|below|at\s+most|no\s+more\s+than|up\s+to|exactly|only|just)?\s*\b(?<n>\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|a\s+single|single)(?<plus>\+|\s+or\s+more|\s+or\s+fewer|\s+or\s+less)?\s+(?<thing>[a-z][a-z-]*(?:\s+[a-z][a-z-]*)?)", RegexOptions.IgnoreCase)]
    private static partial Regex Count();

    [GeneratedRegex($@"\b(?:{Negation})\s+(?:(?:a|an|any|the)\s+)?(?<thing>[a-z][a-z-]*(?:\s+[a-z][a-z-]*)?)", RegexOptions.IgnoreCase)]
    private static partial Regex Negated();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}'-]*")]
    private static partial Regex Word();

    /// <exception cref="QuestionException">A date that is no date, or an empty question.</exception>
    public static QueryPlan Parse(string question, QuestionContext context)
    {
        var normal = Regex.Replace(CurlySingleQuotes().Replace(CurlyDoubleQuotes().Replace(question, "\""), "'"), @"\s+", " ").Trim();
        if (normal.Length == 0)
        {
            throw new QuestionException("the question is empty");
        }
        var rest = normal;
        var texts = new List<TextTerm>();
        var things = new List<ThingTerm>();
        var quality = new List<QualityTerm>();
        var tags = new List<TagTerm>();

        rest = Take(rest, Quoted(), m => texts.Add(new TextTerm(m.Groups["t"].Value.Trim(), m.Groups["neg"].Success)));
        rest = Take(rest, TextWord(), m => texts.Add(new TextTerm(m.Groups["t"].Value.Trim(), m.Groups["neg"].Success)));
        rest = Take(rest, SayWord(), m => texts.Add(new TextTerm(m.Groups["t"].Value.Trim())));

        var asksCount = HowMany().IsMatch(rest);
        rest = HowMany().Replace(rest, " | ");

        string? similarTo = null;
        rest = Take(rest, Similar(), m => { similarTo = m.Groups["id"].Value.ToLowerInvariant(); });

        GeoCircle? near = null;
        rest = Take(rest, Near(), m => { near = ParseNear(m); });

        TimeRange? time = null;
        while (TimeExpressions.Find(rest, context.Now) is var (range, match))
        {
            time = time is null ? range : Intersect(time, range);
            rest = rest[..match.Index] + " | " + rest[(match.Index + match.Length)..];
        }

        rest = Take(rest, TagLiteral(), m => tags.Add(new TagTerm(m.Groups["k"].Value.ToLowerInvariant(), m.Groups["v"].Value.ToLowerInvariant(), NegatedBefore(m))));
        foreach (var key in context.TagKeys.OrderByDescending(k => k.Length))
        {
            var known = new Regex($@"\b(?:(?:from|at|in|on|of)\s+)?(?:the\s+)?{Regex.Escape(key)}\s*(?:#|no\.?|number|:)?\s*(?<v>[\w-]+)", RegexOptions.IgnoreCase);
            rest = Take(rest, known, m => tags.Add(new TagTerm(key.ToLowerInvariant(), m.Groups["v"].Value.ToLowerInvariant(), NegatedBefore(m))));
        }

        string? collection = null;
        foreach (var name in context.Collections.OrderByDescending(c => c.Length))
        {
            var known = new Regex($@"\b(?:(?:in|from|of)\s+)?(?:the\s+)?(?:collection\s+)?{Regex.Escape(name)}\b(?:\s+collection\b)?", RegexOptions.IgnoreCase);
            rest = Take(rest, known, _ => { collection = name; });
        }
        rest = Take(rest, NamedCollection(), m => { collection ??= m.Groups["name"].Value; });

        rest = Take(rest, QualityWord(), m => quality.Add(ParseQuality(m)));
        rest = TakeGivingBack(rest, Count(), m =>
        {
            var phrase = ThingPhrase(m.Groups["thing"].Value, out var leftover);
            if (phrase.Length == 0)
            {
                return m.Value;
            }
            var n = Numbers.Parse(m.Groups["n"].Value);
            things.Add(new ThingTerm(phrase, n == 0, n == 0 ? null : ParseCount(m.Groups["op"].Value, n, m.Groups["plus"].Value)));
            return leftover;
        });
        rest = TakeGivingBack(rest, Negated(), m =>
        {
            var phrase = ThingPhrase(m.Groups["thing"].Value, out var leftover);
            if (phrase.Length > 0)
            {
                things.Add(new ThingTerm(phrase, Negated: true));
            }
            return leftover;
        });

        var ignored = new List<string>();
        foreach (var phrase in Phrases(rest, ignored))
        {
            things.Add(new ThingTerm(phrase));
        }

        return new QueryPlan
        {
            Question = question,
            AsksCount = asksCount,
            Things = things,
            Texts = texts.Where(t => t.Text.Length > 0).ToList(),
            Quality = quality,
            Tags = tags,
            Time = time,
            Near = near,
            Collection = collection,
            SimilarTo = similarTo,
            Ignored = ignored,
        };
    }

    /// <summary>Removes every match, leaving a boundary mark so that words on either side do not join.</summary>
    private static string Take(string text, Regex pattern, Action<Match> found) =>
        TakeGivingBack(text, pattern, m =>
        {
            found(m);
            return "";
        });

    /// <summary>
    /// As above; <paramref name="found"/> returns the match's last words to give back to the question, joined to
    /// what follows ("more than 3 people without" gives back "without", which still negates what comes next).
    /// </summary>
    private static string TakeGivingBack(string text, Regex pattern, Func<Match, string> found) =>
        pattern.Replace(text, m => found(m) is { Length: > 0 } given ? $" | {given} " : " | ");

    /// <summary>Up to two words of a thing after a number or a negation; a filler ends it, and is given back.</summary>
    private static string ThingPhrase(string words, out string leftover)
    {
        var parts = words.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var taken = parts.TakeWhile(w => !Vocabulary.Filler.Contains(w) && !Vocabulary.Relations.Contains(w) && !Vocabulary.Negations.Contains(w)).ToList();
        leftover = string.Join(' ', parts.Skip(taken.Count));
        return string.Join(' ', taken);
    }

    /// <summary>Runs of words that are neither filler nor relation, split at boundaries; numbers alone are ignored.</summary>
    private static IEnumerable<string> Phrases(string rest, List<string> ignored)
    {
        foreach (var segment in rest.Split('|', ',', ';', '?', '!', '.', ':', '(', ')'))
        {
            var run = new List<string>();
            foreach (var word in Word().Matches(segment).Select(m => m.Value.ToLowerInvariant()))
            {
                if (Vocabulary.Filler.Contains(word) || Vocabulary.Relations.Contains(word) || word.Any(char.IsDigit))
                {
                    if (word.Any(char.IsDigit))
                    {
                        ignored.Add(word);
                    }
                    if (run.Count > 0)
                    {
                        yield return string.Join(' ', run);
                        run.Clear();
                    }
                    continue;
                }
                run.Add(word);
                if (run.Count == 3)
                {
                    yield return string.Join(' ', run);
                    run.Clear();
                }
            }
            if (run.Count > 0)
            {
                yield return string.Join(' ', run);
            }
        }
    }

    private static bool NegatedBefore(Match match) =>
        Regex.IsMatch(match.Result("$`"), @"\b(?:not|without|excluding|except)\s*(?:\|\s*)?$", RegexOptions.IgnoreCase);

    private static CountRange ParseCount(string op, int n, string plus)
    {
        var normal = Regex.Replace(op.ToLowerInvariant(), @"\s+", " ");
        if (plus.Contains("more", StringComparison.OrdinalIgnoreCase) || plus.Trim() == "+")
        {
            return new CountRange(n, int.MaxValue);
        }
        if (plus.Length > 0)
        {
            return new CountRange(1, n);
        }
        return normal switch
        {
            "more than" or "greater than" or "over" or "above" => new CountRange(n + 1, int.MaxValue),
            "at least" or "no fewer than" or "no less than" => new CountRange(n, int.MaxValue),
            // "fewer than 3 people": some, but under three.
            "fewer than" or "less than" or "under" or "below" => new CountRange(1, Math.Max(1, n - 1)),
            "at most" or "no more than" or "up to" => new CountRange(1, n),
            _ => new CountRange(n, n),
        };
    }

    private static QualityTerm ParseQuality(Match match)
    {
        var word = Regex.Replace(match.Groups["q"].Value.ToLowerInvariant(), @"[\s-]+", " ");
        var negated = match.Groups["neg"].Success;
        return word switch
        {
            "sharp" or "in focus" or "crisp" => new QualityTerm("blurry", !negated),
            "too dark" or "dark" or "underexposed" or "under exposed" or "dim" => new QualityTerm("dark", negated),
            "overexposed" or "over exposed" or "too bright" or "washed out" or "blown out" => new QualityTerm("overexposed", negated),
            _ when word.StartsWith("low", StringComparison.Ordinal) => new QualityTerm("low-resolution", negated),
            _ when word.StartsWith("high", StringComparison.Ordinal) => new QualityTerm("low-resolution", !negated),
            _ => new QualityTerm("blurry", negated),
        };
    }

    private static GeoCircle ParseNear(Match match)
    {
        var latitude = double.Parse(match.Groups["lat"].Value, CultureInfo.InvariantCulture);
        var longitude = double.Parse(match.Groups["lon"].Value, CultureInfo.InvariantCulture);
        if (latitude is < -90 or > 90 || longitude is < -180 or > 180)
        {
            throw new QuestionException($"\"{match.Value.Trim()}\" is no place on Earth: latitude must be within ±90 and longitude within ±180");
        }
        var radius = 1.0;
        foreach (var (r, u) in new[] { ("r", "u"), ("r2", "u2") })
        {
            if (match.Groups[r].Success)
            {
                var value = double.Parse(match.Groups[r].Value, CultureInfo.InvariantCulture);
                var unit = match.Groups[u].Value.ToLowerInvariant();
                radius = unit.StartsWith('k') ? value : unit.StartsWith("mi", StringComparison.Ordinal) ? value * 1.609344 : value / 1000;
            }
        }
        return new GeoCircle(latitude, longitude, radius);
    }

    private static TimeRange Intersect(TimeRange a, TimeRange b) =>
        new(a.From > b.From ? a.From : b.From, a.To < b.To ? a.To : b.To, $"{a.Phrase}; {b.Phrase}");
}
