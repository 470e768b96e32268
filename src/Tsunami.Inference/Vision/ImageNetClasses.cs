namespace Tsunami.Inference.Vision;

/// <summary>The 1000 ImageNet classes in model output order: WordNet synset id and its first name.</summary>
public sealed class ImageNetClasses
{
    private readonly string[] _synsets;
    private readonly string[] _names;

    private ImageNetClasses(string[] synsets, string[] names)
    {
        _synsets = synsets;
        _names = names;
    }

    public int Count => _synsets.Length;

    public string Synset(int index) => _synsets[index];

    public string Name(int index) => _names[index];

    /// <summary>Reads lines like <c>'n02110063 malamute, malemute, Alaskan malamute'</c> (quotes optional).</summary>
    public static ImageNetClasses Load(string path)
    {
        var lines = File.ReadLines(path).Select(l => l.Trim().Trim('\'')).Where(l => l.Length > 0).ToList();
        if (lines.Count != 1000 || lines.Any(l => l.Length < 11 || l[0] != 'n' || l[9] != ' '))
        {
            throw new InvalidDataException($"{path}: expected 1000 lines 'nXXXXXXXX name, synonyms', found {lines.Count} lines");
        }
        return new ImageNetClasses(
            [.. lines.Select(l => l[..9])],
            [.. lines.Select(l => l[10..].Split(',')[0].Trim())]);
    }
}
