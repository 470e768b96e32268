using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Tsunami.Core.Imaging;
using Tsunami.Inference.Clip;
using Tsunami.Serving.Runtime;
using Tsunami.Serving.Tensors;

namespace Tsunami.Engine.Clip;

/// <summary>
/// An installed CLIP model set, ready: photos and texts become unit vectors of one space. Every call goes through
/// the serving runtime, one request per item, so that the dynamic batcher merges what concurrent callers send.
/// </summary>
public sealed class ClipModel
{
    private readonly ModelRuntime _runtime;
    private readonly ClipSignature _images;
    private readonly ClipSignature _texts;

    internal ClipModel(ModelRuntime runtime, ClipModelFolder folder, ClipTokenizer tokenizer, ClipSignature images, ClipSignature texts, string prompt)
    {
        _runtime = runtime;
        Folder = folder;
        Tokenizer = tokenizer;
        _images = images;
        _texts = texts;
        Prompt = prompt;
        Tag = ClipServedModels.Tag(folder);
    }

    public ClipModelFolder Folder { get; }

    public ClipTokenizer Tokenizer { get; }

    /// <summary>Names the model set and its files: what the clip stage's results are versioned by.</summary>
    public string Tag { get; }

    public string Prompt { get; }

    /// <summary>The length of the vectors (known once the first ones were computed when the model does not declare it).</summary>
    public int Dimension { get; internal set; }

    public ViewSize View => ClipImageTensor.View(Folder.Preprocessing);

    /// <summary>Unit vectors of photos, from views made at <see cref="View"/>.</summary>
    public async Task<float[][]> EmbedImagesAsync(IReadOnlyList<RgbImage> views, CancellationToken cancellationToken)
    {
        var size = Folder.Preprocessing.Size;
        return await Task.WhenAll(views.Select(view =>
        {
            var pixels = new byte[3 * size * size * sizeof(float)];
            ClipImageTensor.Write(view, Folder.Preprocessing, MemoryMarshal.Cast<byte, float>(pixels.AsSpan()));
            return RunAsync(ClipServedModels.Visual, _images, Tensor(_images.Input.Name, "FP32", [1, 3, size, size], pixels), null, cancellationToken);
        }));
    }

    /// <summary>Unit vectors of texts, each tokenized as it is (no prompt added).</summary>
    public async Task<float[][]> EmbedTextsAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        await Task.WhenAll(texts.Select(text =>
        {
            var encoded = Tokenizer.Encode(text);
            var ids = ClipTokenizer.Pad(encoded, Tokenizer.ContextLength, Tokenizer.EndId);
            var length = encoded.Length;
            var tokens = _texts.Input.DataType == "INT32"
                ? MemoryMarshal.AsBytes(ids.AsSpan()).ToArray()
                : MemoryMarshal.AsBytes(ids.Select(i => (long)i).ToArray().AsSpan()).ToArray();
            var mask = _texts.Mask is { } m ? Mask(m, ids.Length, length) : null;
            return RunAsync(ClipServedModels.Textual, _texts, Tensor(_texts.Input.Name, _texts.Input.DataType, [1, ids.Length], tokens), mask, cancellationToken);
        }));

    /// <summary>The unit vector of a thing, worded with the prompt ("a photo of {0}").</summary>
    public async Task<float[]> EmbedThingAsync(string thing, CancellationToken cancellationToken) =>
        (await EmbedTextsAsync([string.Format(System.Globalization.CultureInfo.InvariantCulture, Prompt, thing)], cancellationToken))[0];

    private async Task<float[]> RunAsync(string model, ClipSignature signature, InferTensor input, InferTensor? mask, CancellationToken cancellationToken)
    {
        List<InferTensor> inputs = [input, .. mask is null ? [] : new[] { mask }, .. signature.Others.Select(Filler)];
        var response = await _runtime.Get(model).InferAsync(new InferRequest(null, inputs, [signature.Output]), cancellationToken);
        var vector = MemoryMarshal.Cast<byte, float>(response.Outputs.Single(o => o.Name == signature.Output).Data.Span).ToArray();
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
        return vector;
    }

    private InferTensor Mask(TensorMetadata mask, int contextLength, int length)
    {
        var ones = Enumerable.Range(0, contextLength).Select(i => i < length ? 1L : 0L).ToArray();
        return mask.DataType == "INT32"
            ? Tensor(mask.Name, "INT32", [1, contextLength], MemoryMarshal.AsBytes(ones.Select(v => (int)v).ToArray().AsSpan()).ToArray())
            : Tensor(mask.Name, "INT64", [1, contextLength], MemoryMarshal.AsBytes(ones.AsSpan()).ToArray());
    }

    /// <summary>Zeros for an input of the other tower of a combined export (its mask all ones), at the sizes this set uses.</summary>
    private InferTensor Filler(TensorMetadata input)
    {
        var size = Folder.Preprocessing.Size;
        long[] shape = [1, .. input.Shape[1..].Select((d, i) => d >= 0 ? d : input.Shape.Length == 4 ? (i == 0 ? 3 : size) : Folder.ContextLength)];
        if (input.Name == "attention_mask")
        {
            return Mask(input, (int)shape[1], (int)shape[1]);
        }
        return Tensor(input.Name, input.DataType, shape, new byte[InferTensor.ElementCount(shape) * DataType.Size(input.DataType)]);
    }

    private static InferTensor Tensor(string name, string dataType, long[] shape, byte[] data) => new(name, dataType, shape, data);
}
