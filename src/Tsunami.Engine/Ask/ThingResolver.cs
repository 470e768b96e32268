using Tsunami.Inference.Vision;

namespace Tsunami.Engine.Ask;

/// <summary>
/// What a thing phrase can match in the store: COCO object labels (with everyday synonyms and COCO's own
/// supercategories, so "vehicles" counts cars, trucks and buses), and ImageNet labels and WordNet concepts by name.
/// Plurals are reduced to the singular first.
/// </summary>
internal static class ThingResolver
{
    private static readonly Dictionary<string, string[]> ObjectWords = new(StringComparer.Ordinal)
    {
        ["people"] = ["person"], ["man"] = ["person"], ["woman"] = ["person"], ["child"] = ["person"], ["kid"] = ["person"],
        ["worker"] = ["person"], ["technician"] = ["person"], ["pedestrian"] = ["person"], ["human"] = ["person"],
        ["bike"] = ["bicycle"], ["motorbike"] = ["motorcycle"], ["plane"] = ["airplane"], ["aeroplane"] = ["airplane"],
        ["lorry"] = ["truck"], ["pickup"] = ["truck"], ["ship"] = ["boat"], ["television"] = ["tv"], ["phone"] = ["cell phone"],
        ["cellphone"] = ["cell phone"], ["sofa"] = ["couch"], ["table"] = ["dining table"], ["automobile"] = ["car"],
        ["puppy"] = ["dog"], ["kitten"] = ["cat"], ["pony"] = ["horse"], ["cattle"] = ["cow"], ["hydrant"] = ["fire hydrant"],
        // COCO's supercategories.
        ["vehicle"] = ["bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat"],
        ["animal"] = ["bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe"],
        ["pet"] = ["cat", "dog"],
        ["livestock"] = ["horse", "sheep", "cow"],
        ["furniture"] = ["chair", "couch", "potted plant", "bed", "dining table", "toilet"],
        ["electronics"] = ["tv", "laptop", "mouse", "remote", "keyboard", "cell phone"],
        ["appliance"] = ["microwave", "oven", "toaster", "sink", "refrigerator"],
        ["food"] = ["banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake"],
        ["fruit"] = ["banana", "apple", "orange"],
    };

    private static readonly Dictionary<string, string> Irregular = new(StringComparer.Ordinal)
    {
        ["people"] = "people", ["men"] = "man", ["women"] = "woman", ["children"] = "child", ["mice"] = "mouse",
        ["geese"] = "goose", ["feet"] = "foot", ["teeth"] = "tooth", ["sheep"] = "sheep", ["fish"] = "fish",
        ["bus"] = "bus", ["glasses"] = "glasses", ["scissors"] = "scissors", ["skis"] = "skis", ["electronics"] = "electronics",
        ["knives"] = "knife", ["leaves"] = "leaf", ["wolves"] = "wolf", ["shelves"] = "shelf", ["buses"] = "bus",
        ["boxes"] = "box", ["benches"] = "bench", ["glass"] = "glass", ["grass"] = "grass", ["dress"] = "dress",
    };

    /// <summary>The singular of each word ("fire trucks" → "fire truck").</summary>
    public static string Singular(string phrase)
    {
        var words = phrase.Split(' ');
        words[^1] = SingularWord(words[^1]);
        return string.Join(' ', words);
    }

    /// <summary>The COCO labels a phrase names, or none.</summary>
    public static IReadOnlyList<string> ObjectLabels(string singular)
    {
        if (ObjectWords.TryGetValue(singular, out var labels))
        {
            return labels;
        }
        return CocoLabels.Names.Contains(singular, StringComparer.Ordinal) ? [singular] : [];
    }

    private static string SingularWord(string word)
    {
        if (Irregular.TryGetValue(word, out var singular))
        {
            return singular;
        }
        if (word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal))
        {
            return word[..^3] + "y";
        }
        if (word.Length > 4 && (word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal)
            || word.EndsWith("sses", StringComparison.Ordinal) || word.EndsWith("xes", StringComparison.Ordinal)))
        {
            return word[..^2];
        }
        if (word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal))
        {
            return word[..^1];
        }
        return word;
    }
}
