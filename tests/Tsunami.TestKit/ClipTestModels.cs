using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tsunami.Inference.Onnx.Graph;

namespace Tsunami.TestKit;

/// <summary>
/// CLIP-shaped model sets the tests write: real ONNX graphs with the published layouts' inputs and outputs and known
/// weights, on OpenAI's real vocabulary. The image tower averages each normalised channel (R, G, B → the first three
/// dimensions); the text tower takes, per dimension, the largest embedding among the tokens, where "red", "green"
/// and "blue" point along the first three dimensions and every other token along the fourth, a little.
/// </summary>
public static class ClipTestModels
{
    public const int Dimension = 4;
    public const int ContextLength = 77;
    public const float OtherToken = 0.1f;
    public static readonly string[] Colours = ["red", "green", "blue"];

    public enum Layout
    {
        Immich,
        HuggingFace,
        HuggingFaceCombined,
    }

    private static string ClipFolder => Path.Combine(RepositoryPaths.SharedModels, "clip");

    public static Dictionary<string, int> Vocabulary() =>
        JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(ClipFolder, "vocab.json")))!;

    /// <summary>Writes a model set in <paramref name="layout"/> to <paramref name="folder"/>; <paramref name="textDimension"/> other than 4 makes the towers disagree.</summary>
    public static string Write(string folder, Layout layout, int size = 32, int textDimension = Dimension, int? declaredVocabulary = null)
    {
        Directory.CreateDirectory(folder);
        var vocabulary = Vocabulary();
        var immich = layout == Layout.Immich;
        var (imageInput, textInput, imageOutput, textOutput) = immich
            ? ("image", "text", "embedding", "embedding")
            : ("pixel_values", "input_ids", "image_embeds", "text_embeds");
        var idType = immich ? TensorElementType.Int32 : TensorElementType.Int64;
        if (layout == Layout.HuggingFaceCombined)
        {
            var combined = new OnnxModelBuilder("clip");
            Visual(combined, imageInput, imageOutput, size);
            Text(combined, textInput, textOutput, idType, textDimension, vocabulary, withMask: true);
            combined.Save(Path.Combine(folder, "model.onnx"));
        }
        else
        {
            var visual = Visual(new OnnxModelBuilder("visual"), imageInput, imageOutput, size);
            var text = Text(new OnnxModelBuilder("textual"), textInput, textOutput, idType, textDimension, vocabulary, withMask: !immich);
            if (immich)
            {
                Directory.CreateDirectory(Path.Combine(folder, "visual"));
                Directory.CreateDirectory(Path.Combine(folder, "textual"));
                visual.Save(Path.Combine(folder, "visual", "model.onnx"));
                text.Save(Path.Combine(folder, "textual", "model.onnx"));
            }
            else
            {
                visual.Save(Path.Combine(folder, "vision_model.onnx"));
                text.Save(Path.Combine(folder, "text_model.onnx"));
            }
        }
        var vocabularySize = declaredVocabulary ?? vocabulary.Count;
        if (immich)
        {
            var merges = File.ReadLines(Path.Combine(ClipFolder, "merges.txt")).Skip(1).Where(l => l.Length > 0).ToList();
            File.WriteAllText(Path.Combine(folder, "textual", "tokenizer.json"), JsonSerializer.Serialize(new { model = new { type = "BPE", vocab = vocabulary, merges } }));
            File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(new
            {
                embed_dim = Dimension,
                vision_cfg = new { image_size = size },
                text_cfg = new { context_length = ContextLength, vocab_size = vocabularySize },
            }));
            File.WriteAllText(Path.Combine(folder, "visual", "preprocess_cfg.json"), JsonSerializer.Serialize(new
            {
                size = new[] { size, size }, mode = "RGB", mean = new[] { 0.48145466, 0.4578275, 0.40821073 }, std = new[] { 0.26862954, 0.26130258, 0.27577711 },
                interpolation = "bicubic", resize_mode = "shortest",
            }));
        }
        else
        {
            File.Copy(Path.Combine(ClipFolder, "vocab.json"), Path.Combine(folder, "vocab.json"));
            File.Copy(Path.Combine(ClipFolder, "merges.txt"), Path.Combine(folder, "merges.txt"));
            File.WriteAllText(Path.Combine(folder, "preprocessor_config.json"), JsonSerializer.Serialize(new
            {
                crop_size = new { height = size, width = size }, do_center_crop = true, do_normalize = true, do_resize = true,
                image_mean = new[] { 0.48145466, 0.4578275, 0.40821073 }, image_std = new[] { 0.26862954, 0.26130258, 0.27577711 },
                resample = 3, size = new { shortest_edge = size },
            }));
            File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(new
            {
                projection_dim = Dimension, text_config = new { max_position_embeddings = ContextLength, vocab_size = vocabularySize },
            }));
        }
        return folder;
    }

    /// <summary>What the image tower gives for a photo of one colour (before normalising): each channel's normalised value.</summary>
    public static float[] ImageOf(byte red, byte green, byte blue)
    {
        float[] mean = [0.48145466f, 0.4578275f, 0.40821073f];
        float[] std = [0.26862954f, 0.26130258f, 0.27577711f];
        byte[] rgb = [red, green, blue];
        return [.. Enumerable.Range(0, 3).Select(c => ((rgb[c] / 255f) - mean[c]) / std[c]), 0f];
    }

    /// <summary>What the text tower gives for a text naming these colours (before normalising).</summary>
    public static float[] TextOf(params string[] colours) =>
        [.. Enumerable.Range(0, 3).Select(c => colours.Contains(Colours[c]) ? 1f : 0f), OtherToken];

    public static float[] Unit(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }

    private static OnnxModelBuilder Visual(OnnxModelBuilder builder, string input, string output, int size)
    {
        float[] projection = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
        return builder
            .Input(input, TensorElementType.Float, null, 3, size, size)
            .Output(output, TensorElementType.Float, null, Dimension)
            .Weights("projection", projection, 3, Dimension)
            .Node("ReduceMean", [input], ["channels"], ("axes", new long[] { 2, 3 }), ("keepdims", 0L))
            .Node("MatMul", ["channels", "projection"], [output]);
    }

    private static OnnxModelBuilder Text(OnnxModelBuilder builder, string input, string output, TensorElementType idType, int dimension, Dictionary<string, int> vocabulary, bool withMask)
    {
        var table = new float[vocabulary.Count * dimension];
        for (var id = 0; id < vocabulary.Count; id++)
        {
            table[id * dimension + Math.Min(3, dimension - 1)] = OtherToken;
        }
        for (var c = 0; c < Colours.Length; c++)
        {
            var id = vocabulary[$"{Colours[c]}</w>"];
            Array.Clear(table, id * dimension, dimension);
            table[id * dimension + c] = 1;
        }
        builder.Input(input, idType, null, ContextLength);
        if (withMask)
        {
            builder.Input("attention_mask", idType, null, ContextLength);
        }
        return builder
            .Output(output, TensorElementType.Float, null, dimension)
            .Weights("token_embedding", table, vocabulary.Count, dimension)
            .Node("Gather", ["token_embedding", input], ["tokens"], ("axis", 0L))
            .Node("ReduceMax", ["tokens"], [output], ("axes", new long[] { 1 }), ("keepdims", 0L));
    }
}
