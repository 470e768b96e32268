using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tsunami.Inference.Clip;

public enum ClipLayout
{
    /// <summary>Immich's: visual/model.onnx, textual/model.onnx, textual/tokenizer.json, config.json (open_clip's).</summary>
    Immich,

    /// <summary>A Hugging Face export with one model per tower: vision_model.onnx and text_model.onnx.</summary>
    HuggingFace,

    /// <summary>A Hugging Face export of the whole CLIPModel in one file (model.onnx) with both heads.</summary>
    HuggingFaceCombined,
}

/// <summary>How a photo becomes the vision tower's input: shortest side to <see cref="Size"/>, centre crop, normalise.</summary>
public sealed record ClipPreprocessing(int Size, float[] Mean, float[] Std, string Interpolation)
{
    public static readonly float[] OpenAiMean = [0.48145466f, 0.4578275f, 0.40821073f];
    public static readonly float[] OpenAiStd = [0.26862954f, 0.26130258f, 0.27577711f];
}

/// <summary>
/// A CLIP-family model set in one of the published layouts, its files checked and its configuration read. The
/// models themselves are checked when they are opened (<see cref="ClipSignature"/>).
/// </summary>
public sealed class ClipModelFolder
{
    private readonly Func<ClipTokenizer> _tokenizer;

    private ClipModelFolder(string folder, ClipLayout layout, string visual, string text, ClipPreprocessing preprocessing,
        int contextLength, int? vocabularySize, Func<ClipTokenizer> tokenizer)
    {
        Folder = folder;
        Layout = layout;
        VisualModel = visual;
        TextModel = text;
        Preprocessing = preprocessing;
        ContextLength = contextLength;
        VocabularySize = vocabularySize;
        _tokenizer = tokenizer;
    }

    public string Folder { get; }
    public string Name => Path.GetFileName(Path.TrimEndingDirectorySeparator(Folder));
    public ClipLayout Layout { get; }
    public string VisualModel { get; }
    public string TextModel { get; }
    public ClipPreprocessing Preprocessing { get; }
    public int ContextLength { get; }

    /// <summary>The vocabulary size the model's configuration declares, when it does.</summary>
    public int? VocabularySize { get; }

    /// <exception cref="InvalidDataException">The folder is no CLIP model set; the message names the folder and what is missing or wrong.</exception>
    public static ClipModelFolder Read(string folder)
    {
        try
        {
            return ReadLayout(folder);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{folder}: a configuration value has the wrong type ({e.Message})", e);
        }
    }

    private static ClipModelFolder ReadLayout(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new InvalidDataException($"{folder}: no such folder");
        }
        string In(params string[] parts) => Path.Combine([folder, .. parts]);
        if (File.Exists(In("visual", "model.onnx")) || File.Exists(In("textual", "model.onnx")))
        {
            return ReadImmich(folder, In);
        }
        var onnx = Directory.Exists(In("onnx")) ? In("onnx") : folder;
        if (File.Exists(Path.Combine(onnx, "vision_model.onnx")) || File.Exists(Path.Combine(onnx, "text_model.onnx")))
        {
            var visual = Require(folder, Path.Combine(onnx, "vision_model.onnx"), "a Hugging Face export with text_model.onnx");
            var text = Require(folder, Path.Combine(onnx, "text_model.onnx"), "a Hugging Face export with vision_model.onnx");
            return ReadHuggingFace(folder, ClipLayout.HuggingFace, visual, text, In);
        }
        if (File.Exists(Path.Combine(onnx, "model.onnx")))
        {
            var combined = Path.Combine(onnx, "model.onnx");
            return ReadHuggingFace(folder, ClipLayout.HuggingFaceCombined, combined, combined, In);
        }
        throw new InvalidDataException(
            $"{folder}: no CLIP model found: expected visual/model.onnx and textual/model.onnx (Immich's layout), or vision_model.onnx and text_model.onnx, or one model.onnx (a Hugging Face export)");
    }

    public ClipTokenizer LoadTokenizer() => _tokenizer();

    private static ClipModelFolder ReadImmich(string folder, Func<string[], string> @in)
    {
        var visual = Require(folder, @in(["visual", "model.onnx"]), "Immich's layout");
        var text = Require(folder, @in(["textual", "model.onnx"]), "Immich's layout");
        var config = ReadJson(Require(folder, @in(["config.json"]), "Immich's layout (open_clip's model configuration)"));
        var contextLength = Integer(config, "text_cfg", "context_length") ?? 77;
        var vocabularySize = Integer(config, "text_cfg", "vocab_size");
        var preprocessPath = @in(["visual", "preprocess_cfg.json"]);
        var preprocessing = File.Exists(preprocessPath)
            ? ImmichPreprocessing(preprocessPath, ReadJson(preprocessPath))
            : new ClipPreprocessing(Integer(config, "vision_cfg", "image_size") ?? 224, ClipPreprocessing.OpenAiMean, ClipPreprocessing.OpenAiStd, "bicubic");
        var tokenizer = TokenizerLoader(folder, @in(["textual"]), contextLength, vocabularySize);
        return new ClipModelFolder(folder, ClipLayout.Immich, visual, text, preprocessing, contextLength, vocabularySize, tokenizer);
    }

    private static ClipModelFolder ReadHuggingFace(string folder, ClipLayout layout, string visual, string text, Func<string[], string> @in)
    {
        var preprocessorPath = Require(folder, @in(["preprocessor_config.json"]), "a Hugging Face export (its image preprocessing)");
        var configPath = @in(["config.json"]);
        var config = File.Exists(configPath) ? ReadJson(configPath) : new JsonObject();
        var contextLength = Integer(config, "text_config", "max_position_embeddings") ?? 77;
        var vocabularySize = Integer(config, "text_config", "vocab_size");
        var preprocessing = HuggingFacePreprocessing(preprocessorPath, ReadJson(preprocessorPath));
        var tokenizer = TokenizerLoader(folder, folder, contextLength, vocabularySize);
        return new ClipModelFolder(folder, layout, visual, text, preprocessing, contextLength, vocabularySize, tokenizer);
    }

    /// <summary>tokenizer.json, else vocab.json + merges.txt; checked against the vocabulary size the configuration declares.</summary>
    private static Func<ClipTokenizer> TokenizerLoader(string folder, string directory, int contextLength, int? vocabularySize)
    {
        var json = Path.Combine(directory, "tokenizer.json");
        var vocabulary = Path.Combine(directory, "vocab.json");
        var merges = Path.Combine(directory, "merges.txt");
        if (!File.Exists(json) && !(File.Exists(vocabulary) && File.Exists(merges)))
        {
            throw new InvalidDataException($"{folder}: no tokenizer: expected {json}, or {vocabulary} and {merges}");
        }
        return () =>
        {
            var tokenizer = File.Exists(json) ? ClipTokenizer.FromTokenizerJson(json, contextLength) : ClipTokenizer.FromFiles(vocabulary, merges, contextLength);
            if (vocabularySize is { } size && size != tokenizer.VocabularySize)
            {
                throw new InvalidDataException($"{folder}: the tokenizer has {tokenizer.VocabularySize} tokens but the model's configuration declares a vocabulary of {size}: they do not belong together");
            }
            return tokenizer;
        };
    }

    private static ClipPreprocessing ImmichPreprocessing(string path, JsonNode config)
    {
        var size = config["size"] switch
        {
            JsonArray array => array[0]!.GetValue<int>(),
            JsonValue value => value.GetValue<int>(),
            _ => throw new InvalidDataException($"{path}: no \"size\""),
        };
        var interpolation = config["interpolation"]?.GetValue<string>() ?? "bicubic";
        if (interpolation != "bicubic")
        {
            throw new InvalidDataException($"{path}: interpolation \"{interpolation}\" is not supported (bicubic is)");
        }
        if (config["resize_mode"]?.GetValue<string>() is { } mode and not "shortest")
        {
            throw new InvalidDataException($"{path}: resize_mode \"{mode}\" is not supported (shortest, then a centre crop, is)");
        }
        return new ClipPreprocessing(size, Floats(path, config, "mean"), Floats(path, config, "std"), interpolation);
    }

    private static ClipPreprocessing HuggingFacePreprocessing(string path, JsonNode config)
    {
        static int? Side(JsonNode? node) => node switch
        {
            JsonValue value => value.GetValue<int>(),
            JsonObject size => (size["shortest_edge"] ?? size["height"])?.GetValue<int>(),
            _ => null,
        };
        var crop = config["do_center_crop"]?.GetValue<bool>() != false ? Side(config["crop_size"]) : null;
        var size = crop ?? Side(config["size"]) ?? throw new InvalidDataException($"{path}: no \"size\" or \"crop_size\"");
        var interpolation = config["resample"]?.GetValue<int>() switch
        {
            null or 3 => "bicubic",
            var other => throw new InvalidDataException($"{path}: resample {other} is not supported (3, bicubic, is)"),
        };
        return new ClipPreprocessing(size, Floats(path, config, "image_mean"), Floats(path, config, "image_std"), interpolation);
    }

    private static float[] Floats(string path, JsonNode config, string name)
    {
        var values = (config[name] as JsonArray)?.Select(v => v!.GetValue<float>()).ToArray();
        return values is { Length: 3 } && values.All(v => float.IsFinite(v))
            ? values
            : throw new InvalidDataException($"{path}: \"{name}\" must be three numbers, one per colour channel");
    }

    private static int? Integer(JsonNode config, string section, string name) => config[section]?[name]?.GetValue<int>();

    private static string Require(string folder, string path, string what) =>
        File.Exists(path) ? path : throw new InvalidDataException($"{folder}: {Path.GetRelativePath(folder, path)} is missing ({what} needs it)");

    private static JsonNode ReadJson(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }
}
