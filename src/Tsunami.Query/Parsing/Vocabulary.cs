namespace Tsunami.Query.Parsing;

/// <summary>The words that carry no condition of their own, and those that separate one thing from the next.</summary>
internal static class Vocabulary
{
    /// <summary>Dropped: the question's frame ("show me photos of …") and grammar.</summary>
    public static readonly HashSet<string> Filler = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "of", "with", "that", "which", "who", "whose", "there", "here", "is", "are", "was", "were", "be", "been",
        "any", "some", "all", "every", "me", "my", "our", "us", "i", "we", "you", "find", "show", "shows", "showing", "shown",
        "give", "list", "get", "search", "look", "looking", "for", "please", "where", "what", "which", "do", "does", "did",
        "photo", "photos", "picture", "pictures", "pic", "pics", "image", "images", "shot", "shots", "snapshot", "snapshots",
        "taken", "take", "containing", "contain", "contains", "have", "has", "having", "having", "in", "on", "at", "from", "and",
        "or", "it", "its", "them", "they", "their", "one", "ones", "to", "by", "visible", "seen", "see", "appear", "appears",
        "depicting", "depict", "depicts", "featuring", "feature", "features", "include", "includes", "including", "inspection",
        "inspections", "can", "could", "would", "should", "how", "many", "much", "number", "count", "times", "time",
        "total", "just", "only", "also", "both", "either", "into", "onto", "about", "as", "than", "then", "so", "very", "really",
    };

    /// <summary>Relations between things ("a person riding a horse"): they split phrases and are otherwise not used.</summary>
    public static readonly HashSet<string> Relations = new(StringComparer.Ordinal)
    {
        "riding", "rides", "ride", "holding", "holds", "wearing", "wears", "next", "beside", "behind", "under", "over", "near",
        "above", "below", "inside", "outside", "standing", "sitting", "walking", "running", "using", "carrying", "eating",
        "playing", "driving", "parked", "flying", "lying", "looking", "beneath", "between", "among", "against",
    };

    /// <summary>Words that start a negation: they end the thing before them.</summary>
    public static readonly HashSet<string> Negations = new(StringComparer.Ordinal)
    {
        "without", "no", "not", "lacking", "lack", "lacks", "missing", "excluding", "except",
    };

    /// <summary>Where an unquoted text ends: the next condition starts.</summary>
    public const string TextBoundary =
        @"from|taken|in|on|near|within|between|since|before|after|without|with|yesterday|today|last|this|and|but|that|which|where|during|at|not|lacking|missing";
}
