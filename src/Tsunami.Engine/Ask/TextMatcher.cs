using System.Text.RegularExpressions;

namespace Tsunami.Engine.Ask;

/// <summary>
/// Text asked for against text OCR read, tolerant of OCR noise: every word asked for must be found in the line,
/// exactly when it has three characters or fewer, else within an edit distance of a fifth of its length (or inside
/// a longer word, as when OCR drops a space: "HIGHVOLTAGE").
/// </summary>
internal static partial class TextMatcher
{
    public const double Threshold = 0.75;

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex WordPattern();

    public static string[] Words(string text) =>
        WordPattern().Matches(text).Select(m => m.Value.ToUpperInvariant()).ToArray();

    /// <summary>All words as an FTS5 AND of quoted words.</summary>
    public static string WordsQuery(IEnumerable<string> words) => string.Join(' ', words.Select(w => $"\"{w}\""));

    /// <summary>
    /// An FTS5 query for lines that may read the longer words with noise: each word by any of its trigrams, every
    /// word required (short words are checked exactly afterwards).
    /// </summary>
    public static string? TrigramQuery(IEnumerable<string> words)
    {
        var groups = words.Where(w => w.Length >= 4).Distinct(StringComparer.Ordinal)
            .Select(w => "(" + string.Join(" OR ", Enumerable.Range(0, w.Length - 2).Select(i => $"\"{w.Substring(i, 3)}\"").Distinct(StringComparer.Ordinal)) + ")")
            .ToList();
        return groups.Count == 0 ? null : string.Join(" AND ", groups);
    }

    /// <summary>1 for an exact match of every word, less for near matches, 0 when any word is missing.</summary>
    public static double Similarity(IReadOnlyList<string> asked, string line)
    {
        var read = Words(line);
        if (read.Length == 0 || asked.Count == 0)
        {
            return 0;
        }
        var total = 0.0;
        foreach (var word in asked)
        {
            var best = read.Max(r => WordSimilarity(word, r));
            if (best < Threshold)
            {
                return 0;
            }
            total += best;
        }
        return total / asked.Count;
    }

    private static double WordSimilarity(string asked, string read)
    {
        if (asked == read)
        {
            return 1;
        }
        if (asked.Length <= 3)
        {
            return 0;
        }
        if (read.Length > asked.Length && read.Contains(asked, StringComparison.Ordinal))
        {
            return 0.95;
        }
        return 1 - ((double)Distance(asked, read) / Math.Max(asked.Length, read.Length) * 1.25);
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
