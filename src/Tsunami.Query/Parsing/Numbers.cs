using System.Globalization;

namespace Tsunami.Query.Parsing;

/// <summary>Whole numbers as digits or English words, one to twenty.</summary>
internal static class Numbers
{
    private static readonly string[] Words =
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
    ];

    public const string Pattern = @"\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|a single|single|a|an";

    public static int Parse(string text)
    {
        var word = text.Trim().ToLowerInvariant();
        if (word is "a single" or "single" or "a" or "an")
        {
            return 1;
        }
        var index = Array.IndexOf(Words, word);
        return index >= 0 ? index : int.Parse(word, NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
