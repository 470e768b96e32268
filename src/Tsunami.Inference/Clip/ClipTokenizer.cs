using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Tsunami.Inference.Clip;

/// <summary>
/// CLIP's text tokenizer: the text cleaned (HTML entities, NFC, runs of white space) and lower-cased, split by CLIP's
/// pattern, then byte-level BPE with "&lt;/w&gt;" marking word ends (Microsoft.ML.Tokenizers' BpeTokenizer), between
/// the start and end tokens, truncated to the context length with the end token kept.
/// </summary>
public sealed partial class ClipTokenizer
{
    public const string StartText = "<|startoftext|>";
    public const string EndText = "<|endoftext|>";

    /// <summary>GPT-2's byte-level alphabet: printable bytes stand for themselves, the others for characters from U+0100 on.</summary>
    private static readonly Lazy<Dictionary<char, byte>> UnicodeToByte = new(() =>
    {
        var map = new Dictionary<char, byte>();
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[(char)(printable ? b : next++)] = (byte)b;
        }
        return map;
    });

    private readonly BpeTokenizer _bpe;
    private readonly Lazy<Dictionary<int, string>> _tokens;

    private ClipTokenizer(BpeTokenizer bpe, int contextLength, int vocabularySize)
    {
        _bpe = bpe;
        _tokens = new(() => bpe.Vocabulary.ToDictionary(pair => pair.Value, pair => pair.Key));
        ContextLength = contextLength;
        VocabularySize = vocabularySize;
        StartId = Id(StartText);
        EndId = Id(EndText);
    }

    public int ContextLength { get; }

    public int VocabularySize { get; }

    public int StartId { get; }

    public int EndId { get; }

    /// <summary>From Hugging Face's vocab.json and merges.txt.</summary>
    /// <exception cref="InvalidDataException">The files are not a CLIP vocabulary; the message names the file and what is wrong.</exception>
    public static ClipTokenizer FromFiles(string vocabularyPath, string mergesPath, int contextLength = 77)
    {
        var vocabulary = ReadVocabulary(vocabularyPath, File.ReadAllText(vocabularyPath));
        var merges = File.ReadLines(mergesPath).Where(line => line.Length > 0 && !line.StartsWith("#version", StringComparison.Ordinal)).ToList();
        return Create(vocabulary, merges, contextLength, $"{vocabularyPath} and {mergesPath}");
    }

    /// <summary>From a Hugging Face tokenizer.json (a BPE model with its vocabulary and merges inside).</summary>
    /// <exception cref="InvalidDataException">The file holds no CLIP BPE model.</exception>
    public static ClipTokenizer FromTokenizerJson(string path, int contextLength = 77)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var model = document.RootElement.TryGetProperty("model", out var m) && m.TryGetProperty("type", out var type) && type.GetString() == "BPE"
                ? m
                : throw new InvalidDataException($"{path}: not a BPE tokenizer (its \"model\" is not of type BPE; SentencePiece tokenizers such as SigLIP's are not supported)");
            var vocabulary = ReadVocabulary(path, model.GetProperty("vocab").GetRawText());
            var merges = model.GetProperty("merges").EnumerateArray()
                .Select(merge => merge.ValueKind == JsonValueKind.Array ? $"{merge[0].GetString()} {merge[1].GetString()}" : merge.GetString()!)
                .ToList();
            return Create(vocabulary, merges, contextLength, path);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not a readable tokenizer.json ({e.Message})", e);
        }
    }

    /// <summary>The ids of the text between the start and end tokens, at most <see cref="ContextLength"/> of them.</summary>
    public int[] Encode(string text)
    {
        var ids = _bpe.EncodeToIds(Clean(text));
        if (ids.Count == 0)
        {
            return [StartId, EndId];
        }
        if (ids.Count > ContextLength)
        {
            return [.. ids.Take(ContextLength - 1), EndId];
        }
        return [.. ids];
    }

    /// <summary>The ids padded with <paramref name="padId"/> to the context length: what a text encoder takes.</summary>
    public int[] EncodePadded(string text, int padId) => Pad(Encode(text), ContextLength, padId);

    public static int[] Pad(int[] ids, int contextLength, int padId)
    {
        var padded = Enumerable.Repeat(padId, contextLength).ToArray();
        ids.CopyTo(padded, 0);
        return padded;
    }

    /// <summary>The text the ids spell, words separated by single spaces (the cleaning is not undone).</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var spelled = string.Concat(ids.Where(id => id != StartId && id != EndId).Select(id => _tokens.Value[id])).Replace("</w>", " ", StringComparison.Ordinal);
        var bytes = spelled.Select(c => c == ' ' ? (byte)' ' : UnicodeToByte.Value[c]).ToArray();
        return Spaces().Replace(Encoding.UTF8.GetString(bytes), " ").Trim();
    }

    public int Id(string token) => _bpe.Vocabulary.TryGetValue(token, out var id) ? id : throw new InvalidDataException($"the vocabulary has no token {token}");

    private static ClipTokenizer Create(Dictionary<string, int> vocabulary, List<string> merges, int contextLength, string source)
    {
        foreach (var special in new[] { StartText, EndText })
        {
            if (!vocabulary.ContainsKey(special))
            {
                throw new InvalidDataException($"{source}: not a CLIP vocabulary (it has no {special} token)");
            }
        }
        if (!vocabulary.ContainsKey("a</w>"))
        {
            throw new InvalidDataException($"{source}: not a CLIP vocabulary (its words do not end in </w>)");
        }
        if (contextLength < 3)
        {
            throw new InvalidDataException($"{source}: a context length of {contextLength} holds no text");
        }
        var specials = new Dictionary<string, int> { [StartText] = vocabulary[StartText], [EndText] = vocabulary[EndText] };
        var bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges,
            ByteLevel = true,
            EndOfWordSuffix = "</w>",
            PreTokenizer = new RegexPreTokenizer(Words(), specials),
            SpecialTokens = specials,
            BeginningOfSentenceToken = StartText,
            EndOfSentenceToken = EndText,
        });
        return new ClipTokenizer(bpe, contextLength, vocabulary.Count);
    }

    private static Dictionary<string, int> ReadVocabulary(string source, string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, int>>(json) ?? throw new InvalidDataException($"{source}: the vocabulary is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: the vocabulary is not a JSON object of token ids ({e.Message})", e);
        }
    }

    /// <summary>OpenAI's basic_clean and whitespace_clean (without ftfy's mojibake repair), then lower case.</summary>
    private static string Clean(string text)
    {
        var unescaped = WebUtility.HtmlDecode(WebUtility.HtmlDecode(text));
        return Spaces().Replace(unescaped.Normalize(NormalizationForm.FormC), " ").Trim().ToLower(CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", RegexOptions.IgnoreCase)]
    private static partial Regex Words();
}
