using System.Globalization;
using System.Text.RegularExpressions;
using Tsunami.Query.Plan;

namespace Tsunami.Query.Parsing;

/// <summary>
/// Capture-time phrases, relative to "now" (UTC; weeks start on Monday): yesterday, today, this/last
/// week|month|year, the last N days|weeks|months, N days ago, in March [2025], in 2024, on/before/after/since a
/// date, between two dates (both days included). Dates: 2025-03-14, 14 March 2025, March 14[th][,] 2025.
/// </summary>
internal static partial class TimeExpressions
{
    private const string Month = "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec";
    private const string Date = $@"\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}\s+(?:{Month})\s+\d{{4}}|(?:{Month})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}";

    [GeneratedRegex($@"\b(?:taken\s+)?(?:between|from)\s+(?<a>{Date})\s+(?:and|to|until|till)\s+(?<b>{Date})", RegexOptions.IgnoreCase)]
    private static partial Regex Between();

    [GeneratedRegex($@"\b(?:taken\s+)?(?<op>since|after|before|on)\s+(?<a>{Date})", RegexOptions.IgnoreCase)]
    private static partial Regex Relative();

    [GeneratedRegex($@"\b(?:taken\s+)?(?:in\s+|during\s+)?(?<m>{Month})\s+(?<y>\d{{4}})\b", RegexOptions.IgnoreCase)]
    private static partial Regex MonthOfYear();

    [GeneratedRegex($@"\b(?:taken\s+)?(?:in|during)\s+(?<m>{Month})\b", RegexOptions.IgnoreCase)]
    private static partial Regex MonthAlone();

    [GeneratedRegex(@"\b(?:taken\s+)?(?:in|during)\s+(?<y>(?:19|20)\d{2})\b", RegexOptions.IgnoreCase)]
    private static partial Regex Year();

    [GeneratedRegex(@"\b(?:taken\s+)?(?<w>yesterday|today|this\s+(?:week|month|year)|last\s+(?:week|month|year))\b", RegexOptions.IgnoreCase)]
    private static partial Regex Named();

    [GeneratedRegex(@"\b(?:taken\s+)?(?:in\s+|during\s+|within\s+|over\s+)?(?:the\s+)?(?:last|past)\s+(?<n>\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?<u>days?|weeks?|months?|years?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Span();

    [GeneratedRegex(@"\b(?:taken\s+)?(?<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?<u>days?|weeks?)\s+ago\b", RegexOptions.IgnoreCase)]
    private static partial Regex Ago();

    /// <summary>Finds the first time phrase in <paramref name="text"/>; returns it and the span it took.</summary>
    public static (TimeRange Range, Match Match)? Find(string text, DateTimeOffset now)
    {
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        if (Between().Match(text) is { Success: true } between)
        {
            return (new TimeRange(ParseDate(between.Groups["a"].Value), ParseDate(between.Groups["b"].Value).AddDays(1), between.Value.Trim()), between);
        }
        if (Relative().Match(text) is { Success: true } relative)
        {
            var day = ParseDate(relative.Groups["a"].Value);
            var range = relative.Groups["op"].Value.ToLowerInvariant() switch
            {
                "since" => new TimeRange(day, DateTimeOffset.MaxValue, relative.Value.Trim()),
                "after" => new TimeRange(day.AddDays(1), DateTimeOffset.MaxValue, relative.Value.Trim()),
                "before" => new TimeRange(DateTimeOffset.MinValue, day, relative.Value.Trim()),
                _ => new TimeRange(day, day.AddDays(1), relative.Value.Trim()),
            };
            return (range, relative);
        }
        if (MonthOfYear().Match(text) is { Success: true } monthOfYear)
        {
            var start = new DateTimeOffset(int.Parse(monthOfYear.Groups["y"].Value, CultureInfo.InvariantCulture), MonthNumber(monthOfYear.Groups["m"].Value), 1, 0, 0, 0, TimeSpan.Zero);
            return (new TimeRange(start, start.AddMonths(1), monthOfYear.Value.Trim()), monthOfYear);
        }
        if (MonthAlone().Match(text) is { Success: true } monthAlone)
        {
            // The most recent such month that has begun.
            var month = MonthNumber(monthAlone.Groups["m"].Value);
            var latest = month <= today.Month ? today.Year : today.Year - 1;
            var start = new DateTimeOffset(latest, month, 1, 0, 0, 0, TimeSpan.Zero);
            return (new TimeRange(start, start.AddMonths(1), monthAlone.Value.Trim()), monthAlone);
        }
        if (Year().Match(text) is { Success: true } year)
        {
            var start = new DateTimeOffset(int.Parse(year.Groups["y"].Value, CultureInfo.InvariantCulture), 1, 1, 0, 0, 0, TimeSpan.Zero);
            return (new TimeRange(start, start.AddYears(1), year.Value.Trim()), year);
        }
        if (Named().Match(text) is { Success: true } named)
        {
            var weekStart = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
            var monthStart = new DateTimeOffset(today.Year, today.Month, 1, 0, 0, 0, TimeSpan.Zero);
            var yearStart = new DateTimeOffset(today.Year, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var (from, to) = Regex.Replace(named.Groups["w"].Value.ToLowerInvariant(), @"\s+", " ") switch
            {
                "yesterday" => (today.AddDays(-1), today),
                "today" => (today, today.AddDays(1)),
                "this week" => (weekStart, weekStart.AddDays(7)),
                "last week" => (weekStart.AddDays(-7), weekStart),
                "this month" => (monthStart, monthStart.AddMonths(1)),
                "last month" => (monthStart.AddMonths(-1), monthStart),
                "this year" => (yearStart, yearStart.AddYears(1)),
                _ => (yearStart.AddYears(-1), yearStart),
            };
            return (new TimeRange(from, to, named.Value.Trim()), named);
        }
        if (Span().Match(text) is { Success: true } span)
        {
            var n = Numbers.Parse(span.Groups["n"].Value);
            var from = span.Groups["u"].Value.ToLowerInvariant().TrimEnd('s') switch
            {
                "day" => today.AddDays(1 - n),
                "week" => today.AddDays(1 - (7 * n)),
                "month" => today.AddMonths(-n).AddDays(1),
                _ => today.AddYears(-n).AddDays(1),
            };
            return (new TimeRange(from, today.AddDays(1), span.Value.Trim()), span);
        }
        if (Ago().Match(text) is { Success: true } ago)
        {
            var days = Numbers.Parse(ago.Groups["n"].Value) * (ago.Groups["u"].Value.StartsWith("week", StringComparison.OrdinalIgnoreCase) ? 7 : 1);
            var day = today.AddDays(-days);
            return (new TimeRange(day, day.AddDays(1), ago.Value.Trim()), ago);
        }
        return null;
    }

    private static DateTimeOffset ParseDate(string text)
    {
        var cleaned = Regex.Replace(text.Trim(), @"(?<=\d)(st|nd|rd|th)\b|,", "", RegexOptions.IgnoreCase);
        cleaned = Regex.Replace(cleaned, @"\s+", " ");
        string[] formats = ["yyyy-M-d", "d MMMM yyyy", "d MMM yyyy", "MMMM d yyyy", "MMM d yyyy"];
        if (DateTime.TryParseExact(cleaned, formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var date))
        {
            return new DateTimeOffset(date.Date, TimeSpan.Zero);
        }
        throw new QuestionException($"\"{text}\" is not a date (write 2025-03-14, 14 March 2025 or March 14, 2025)");
    }

    private static int MonthNumber(string name)
    {
        var prefix = name[..3].ToLowerInvariant();
        return Array.IndexOf(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], prefix) + 1;
    }
}
