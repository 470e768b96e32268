using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Tsunami.Inference.Concepts;

/// <summary>A WordNet 3.0 noun synset: its id (n + 8-digit offset), its words and its direct hypernyms.</summary>
public sealed record Synset(string Id, IReadOnlyList<string> Words, IReadOnlyList<string> Hypernyms)
{
    public string Name => Words[0];
}

/// <summary>
/// WordNet's noun database (data.noun from Debian's wordnet-base). A synset's id is its byte offset in the file,
/// so each lookup is one positioned read; generalisations (golden retriever → dog → canine → animal) follow the
/// hypernym pointers. Thread-safe; synsets are cached.
/// </summary>
public sealed class WordNet : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly string _path;
    private readonly ConcurrentDictionary<string, Synset> _cache = new(StringComparer.Ordinal);

    private WordNet(string path)
    {
        _path = path;
        _file = File.OpenHandle(path);
    }

    public static WordNet Open(string dataNounPath)
    {
        var wordNet = new WordNet(dataNounPath);
        // entity is the root of every noun: a wrong file fails here, not on the first photo.
        if (wordNet.Read("n00001740").Name != "entity")
        {
            wordNet.Dispose();
            throw new InvalidDataException($"{dataNounPath} is not WordNet 3.0's data.noun (offset 00001740 is not 'entity')");
        }
        return wordNet;
    }

    public Synset Read(string id) => _cache.GetOrAdd(id, ReadUncached);

    /// <summary>Every generalisation of the synset, nearest first, each once (a synset may have several parents).</summary>
    public IReadOnlyList<Synset> Ancestors(string id)
    {
        var ancestors = new List<Synset>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { id };
        var queue = new Queue<string>(Read(id).Hypernyms);
        while (queue.TryDequeue(out var next))
        {
            if (!seen.Add(next))
            {
                continue;
            }
            var synset = Read(next);
            ancestors.Add(synset);
            foreach (var parent in synset.Hypernyms)
            {
                queue.Enqueue(parent);
            }
        }
        return ancestors;
    }

    private Synset ReadUncached(string id)
    {
        if (id.Length != 9 || id[0] != 'n' || !long.TryParse(id.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            throw new ArgumentException($"'{id}' is not a noun synset id like n02110063", nameof(id));
        }
        var buffer = new byte[4096];
        var read = RandomAccess.Read(_file, buffer, offset);
        var line = Encoding.ASCII.GetString(buffer, 0, read).Split('\n')[0];
        var fields = line.Split(' ');
        if (fields.Length < 6 || fields[0] != id[1..])
        {
            throw new InvalidDataException($"{_path}: no synset at offset {id[1..]}");
        }
        var wordCount = int.Parse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var words = new List<string>(wordCount);
        for (var i = 0; i < wordCount; i++)
        {
            words.Add(fields[4 + (2 * i)].Replace('_', ' '));
        }
        var pointerIndex = 4 + (2 * wordCount);
        var pointerCount = int.Parse(fields[pointerIndex], CultureInfo.InvariantCulture);
        var hypernyms = new List<string>();
        for (var p = 0; p < pointerCount; p++)
        {
            var at = pointerIndex + 1 + (4 * p);
            if (fields[at] is "@" or "@i" && fields[at + 2] == "n")
            {
                hypernyms.Add("n" + fields[at + 1]);
            }
        }
        return new Synset(id, words, hypernyms);
    }

    public void Dispose() => _file.Dispose();
}
