using Tsunami.Serving.Runtime;
using Tsunami.Serving.Tensors;

namespace Tsunami.Engine.Clip;

/// <summary>
/// How to call one tower of a served CLIP model: its input (and attention mask), the output that carries the
/// embedding, and the other inputs a combined export needs filled (zeros; their outputs are not asked for).
/// </summary>
internal sealed record ClipSignature(TensorMetadata Input, TensorMetadata? Mask, string Output, long Dimension, IReadOnlyList<TensorMetadata> Others)
{
    private static readonly string[] ImageInputs = ["pixel_values", "image", "images", "input"];
    private static readonly string[] TextInputs = ["input_ids", "text", "tokens", "input"];
    private static readonly string[] ImageOutputs = ["image_embeds", "embedding", "embeddings", "image_features", "output"];
    private static readonly string[] TextOutputs = ["text_embeds", "embedding", "embeddings", "text_features", "output"];

    /// <exception cref="InvalidDataException">The model has no image input of the expected shape or no embedding output.</exception>
    public static ClipSignature ForImages(ServedModel model, int size)
    {
        var candidates = model.Inputs.Where(i => i.DataType == "FP32" && i.Shape.Length == 4).ToList();
        var input = Pick(candidates, ImageInputs)
            ?? throw Wrong(model, $"an image input of type FP32 and shape [N,3,{size},{size}]");
        if (!Fits(input.Shape[1], 3) || !Fits(input.Shape[2], size) || !Fits(input.Shape[3], size))
        {
            throw Wrong(model, $"its image input '{input.Name}' to take [N,3,{size},{size}] (the size the preprocessing makes)");
        }
        return Complete(model, input, null, ImageOutputs, "image_embeds");
    }

    /// <exception cref="InvalidDataException">The model has no token input of the context length or no embedding output.</exception>
    public static ClipSignature ForText(ServedModel model, int contextLength)
    {
        var candidates = model.Inputs.Where(i => i.DataType is "INT64" or "INT32" && i.Shape.Length == 2 && i.Name != "attention_mask").ToList();
        var input = Pick(candidates, TextInputs)
            ?? throw Wrong(model, $"a token input of type INT64 or INT32 and shape [N,{contextLength}]");
        if (!Fits(input.Shape[1], contextLength))
        {
            throw Wrong(model, $"its token input '{input.Name}' to take {contextLength} tokens (the tokenizer's context length)");
        }
        var mask = model.Inputs.FirstOrDefault(i => i.Name == "attention_mask");
        return Complete(model, input, mask, TextOutputs, "text_embeds");
    }

    private static ClipSignature Complete(ServedModel model, TensorMetadata input, TensorMetadata? mask, string[] outputNames, string preferred)
    {
        var outputs = model.Outputs.Where(o => o.Shape.Length == 2 && o.DataType == "FP32").ToList();
        var output = outputs.FirstOrDefault(o => o.Name == preferred) ?? Pick(outputs, outputNames)
            ?? throw Wrong(model, $"an embedding output of type FP32 and shape [N,D] (named {string.Join(" or ", outputNames)})");
        var others = model.Inputs.Where(i => i.Name != input.Name && i.Name != mask?.Name).ToList();
        return new ClipSignature(input, mask, output.Name, output.Shape[1], others);
    }

    private static TensorMetadata? Pick(List<TensorMetadata> candidates, string[] names) =>
        candidates.FirstOrDefault(c => names.Contains(c.Name, StringComparer.Ordinal)) ?? (candidates.Count == 1 ? candidates[0] : null);

    private static bool Fits(long dimension, long wanted) => dimension < 0 || dimension == wanted;

    private static InvalidDataException Wrong(ServedModel model, string expected) => new(
        $"CLIP model {model.Location.Path}: expected {expected}; the model has inputs {Describe(model.Inputs)} and outputs {Describe(model.Outputs)}");

    private static string Describe(IEnumerable<TensorMetadata> tensors) =>
        string.Join(", ", tensors.Select(t => $"{t.Name}: {t.DataType}{InferTensor.Format(t.Shape)}"));
}
