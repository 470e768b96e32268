using System.Text.Json;
using Tsunami.Inference.Clip;

namespace Tsunami.Inference.Tests.Clip;

/// <summary>The CLIP tokenizer on the real OpenAI vocabulary: ids published with CLIP, and the edge cases.</summary>
public sealed class ClipTokenizerTests
{
    private static readonly string Folder = Path.Combine(RepositoryPaths.SharedModels, "clip");
    private static readonly Lazy<ClipTokenizer> Shared = new(() => ClipTokenizer.FromFiles(Path.Combine(Folder, "vocab.json"), Path.Combine(Folder, "merges.txt")));
    private static readonly Lazy<Dictionary<string, int>> Vocabulary = new(() => JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(Folder, "vocab.json")))!);

    private static ClipTokenizer Tokenizer => Shared.Value;

    [Theory]
    [InlineData("a photo of a cat", new[] { 49406, 320, 1125, 539, 320, 2368, 49407 })]
    [InlineData("a diagram", new[] { 49406, 320, 22697, 49407 })]
    [InlineData("a dog", new[] { 49406, 320, 1929, 49407 })]
    [InlineData("A  Photo\tOF a CAT ", new[] { 49406, 320, 1125, 539, 320, 2368, 49407 })]
    [InlineData("a&#32;photo of a &quot;cat&quot;", new[] { 49406, 320, 1125, 539, 320, 257, 2368, 257, 49407 })]
    [InlineData("", new[] { 49406, 49407 })]
    public void Encodes_as_published_with_CLIP(string text, int[] ids) => Assert.Equal(ids, Tokenizer.Encode(text));

    [Fact]
    public void Punctuation_and_words_split_into_their_own_word_tokens()
    {
        int[] expected = [49406, .. new[] { "hello</w>", ",</w>", "world</w>", "!</w>" }.Select(t => Vocabulary.Value[t]), 49407];
        Assert.Equal(expected, Tokenizer.Encode("Hello, world!"));
        Assert.Equal([49406, Vocabulary.Value["it</w>"], Vocabulary.Value["'s</w>"], Vocabulary.Value["2</w>"], Vocabulary.Value["4</w>"], 49407], Tokenizer.Encode("it's 24"));
    }

    [Theory]
    [InlineData("café crème brûlée")]
    [InlineData("high voltage ⚡ 🙂 danger")]
    [InlineData("сварка трубы")]
    [InlineData("日本語のテキスト")]
    public void Unicode_and_emoji_are_byte_level_tokens_that_decode_back(string text)
    {
        var ids = Tokenizer.Encode(text);
        Assert.Equal((49406, 49407), (ids[0], ids[^1]));
        Assert.All(ids, id => Assert.InRange(id, 0, Tokenizer.VocabularySize - 1));
        Assert.Equal(text, Tokenizer.Decode(ids));
    }

    [Fact]
    public void A_long_text_is_cut_to_the_context_length_and_still_ends_with_the_end_token()
    {
        var ids = Tokenizer.Encode(string.Join(' ', Enumerable.Repeat("corrosion on the bolt", 40)));
        Assert.Equal(77, ids.Length);
        Assert.Equal((49406, 49407), (ids[0], ids[^1]));
        Assert.Equal(Tokenizer.Encode("corrosion on the bolt")[1..^1], ids[1..(Tokenizer.Encode("corrosion on the bolt").Length - 1)]);
        var padded = Tokenizer.EncodePadded("a dog", 0);
        Assert.Equal([49406, 320, 1929, 49407, .. Enumerable.Repeat(0, 73)], padded);
    }

    [Fact]
    public void A_tokenizer_json_gives_the_same_ids()
    {
        using var temp = new TempDirectory();
        var merges = File.ReadLines(Path.Combine(Folder, "merges.txt")).Skip(1).Where(l => l.Length > 0).ToList();
        var json = JsonSerializer.Serialize(new { model = new { type = "BPE", vocab = Vocabulary.Value, merges } });
        var path = temp.Combine("tokenizer.json");
        File.WriteAllText(path, json);
        var fromJson = ClipTokenizer.FromTokenizerJson(path);
        Assert.Equal(Tokenizer.Encode("a photo of a cat on a hard hat"), fromJson.Encode("a photo of a cat on a hard hat"));
    }

    [Fact]
    public void Files_that_are_no_CLIP_vocabulary_are_named_with_what_is_wrong()
    {
        using var temp = new TempDirectory();
        var merges = Path.Combine(Folder, "merges.txt");
        File.WriteAllText(temp.Combine("broken.json"), "{ not json");
        File.WriteAllText(temp.Combine("gpt2.json"), """{ "hello": 0, "Ġworld": 1 }""");
        File.WriteAllText(temp.Combine("sp.json"), """{ "model": { "type": "Unigram", "vocab": [] } }""");

        Assert.Contains("broken.json: the vocabulary is not a JSON object", Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromFiles(temp.Combine("broken.json"), merges)).Message, StringComparison.Ordinal);
        Assert.Contains("not a CLIP vocabulary (it has no <|startoftext|> token)", Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromFiles(temp.Combine("gpt2.json"), merges)).Message, StringComparison.Ordinal);
        Assert.Contains("sp.json: not a BPE tokenizer", Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromTokenizerJson(temp.Combine("sp.json"))).Message, StringComparison.Ordinal);
    }
}
