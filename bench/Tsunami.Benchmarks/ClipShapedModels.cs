using Microsoft.ML.OnnxRuntime.Tensors;
using Tsunami.Inference.Onnx.Graph;

namespace Tsunami.Benchmarks;

/// <summary>
/// Models of ViT-B/32 CLIP's shapes with random weights: the vision tower (32×32 patches of a 224×224 photo, 12
/// pre-norm transformer blocks of width 768 with 12 heads and QuickGELU, a 512-d projection) and the text tower (77
/// tokens, 12 blocks of width 512 with 8 heads, the same projection). Same operators and FLOPs as the real ones
/// (within the class token and causal mask), so their speed here is the real models' speed.
/// </summary>
internal static class ClipShapedModels
{
    public const int Embedding = 512;

    public static void WriteVisual(string path)
    {
        const int width = 768, patch = 32, tokens = 49;
        var builder = new OnnxModelBuilder("vit-b-32-visual")
            .Input("pixel_values", TensorElementType.Float, null, 3, 224, 224)
            .Output("image_embeds", TensorElementType.Float, null, Embedding);
        var random = new Random(32);
        builder.Weights("patch", Random(random, width * 3 * patch * patch), width, 3, patch, patch)
            .Node("Conv", ["pixel_values", "patch"], ["patches"], ("strides", new long[] { patch, patch }))
            .Int64s("to_tokens", 0, width, tokens)
            .Node("Reshape", ["patches", "to_tokens"], ["channels_first"])
            .Node("Transpose", ["channels_first"], ["x0"], ("perm", new long[] { 0, 2, 1 }))
            .Weights("position", Random(random, tokens * width), tokens, width)
            .Node("Add", ["x0", "position"], ["x"]);
        var x = Blocks(builder, random, "x", width, heads: 12, tokens);
        Project(builder, random, x, width, "image_embeds").Save(path);
    }

    public static void WriteText(string path, int vocabulary)
    {
        const int width = 512, tokens = 77;
        var random = new Random(77);
        var builder = new OnnxModelBuilder("vit-b-32-text")
            .Input("input_ids", TensorElementType.Int64, null, tokens)
            .Output("text_embeds", TensorElementType.Float, null, Embedding)
            .Weights("token_embedding", Random(random, vocabulary * width), vocabulary, width)
            .Node("Gather", ["token_embedding", "input_ids"], ["x0"], ("axis", 0L))
            .Weights("position", Random(random, tokens * width), tokens, width)
            .Node("Add", ["x0", "position"], ["x"]);
        var x = Blocks(builder, random, "x", width, heads: 8, tokens);
        Project(builder, random, x, width, "text_embeds").Save(path);
    }

    private static string Blocks(OnnxModelBuilder builder, Random random, string x, int width, int heads, int tokens)
    {
        var head = width / heads;
        builder.Int64s("split", width, width, width)
            .Int64s("to_heads", 0, tokens, heads, head)
            .Int64s("to_width", 0, tokens, width)
            .Weights("scale", [1f / MathF.Sqrt(head)], 1)
            .Weights("gelu", [1.702f], 1);
        for (var layer = 0; layer < 12; layer++)
        {
            string N(string name) => $"l{layer}_{name}";
            LayerNorm(builder, x, N("ln1"), width);
            builder.Weights(N("qkv_w"), Random(random, width * 3 * width), width, 3 * width)
                .Node("MatMul", [N("ln1"), N("qkv_w")], [N("qkv")])
                .Node("Split", [N("qkv"), "split"], [N("q0"), N("k0"), N("v0")], ("axis", 2L));
            foreach (var part in new[] { "q", "k", "v" })
            {
                builder.Node("Reshape", [N(part + "0"), "to_heads"], [N(part + "1")])
                    .Node("Transpose", [N(part + "1")], [N(part)], ("perm", part == "k" ? new long[] { 0, 2, 3, 1 } : new long[] { 0, 2, 1, 3 }));
            }
            builder.Node("MatMul", [N("q"), N("k")], [N("scores0")])
                .Node("Mul", [N("scores0"), "scale"], [N("scores")])
                .Node("Softmax", [N("scores")], [N("attention")], ("axis", -1L))
                .Node("MatMul", [N("attention"), N("v")], [N("mixed0")])
                .Node("Transpose", [N("mixed0")], [N("mixed1")], ("perm", new long[] { 0, 2, 1, 3 }))
                .Node("Reshape", [N("mixed1"), "to_width"], [N("mixed")])
                .Weights(N("out_w"), Random(random, width * width), width, width)
                .Node("MatMul", [N("mixed"), N("out_w")], [N("attended")])
                .Node("Add", [x, N("attended")], [N("x1")]);
            LayerNorm(builder, N("x1"), N("ln2"), width);
            builder.Weights(N("fc_w"), Random(random, width * 4 * width), width, 4 * width)
                .Node("MatMul", [N("ln2"), N("fc_w")], [N("hidden")])
                .Node("Mul", [N("hidden"), "gelu"], [N("gated0")])
                .Node("Sigmoid", [N("gated0")], [N("gate")])
                .Node("Mul", [N("hidden"), N("gate")], [N("activated")])
                .Weights(N("proj_w"), Random(random, 4 * width * width), 4 * width, width)
                .Node("MatMul", [N("activated"), N("proj_w")], [N("mlp")])
                .Node("Add", [N("x1"), N("mlp")], [N("x2")]);
            x = N("x2");
        }
        return x;
    }

    private static OnnxModelBuilder Project(OnnxModelBuilder builder, Random random, string x, int width, string output)
    {
        LayerNorm(builder, x, "final_ln", width);
        return builder.Node("ReduceMean", ["final_ln"], ["pooled"], ("axes", new long[] { 1 }), ("keepdims", 0L))
            .Weights("projection", Random(random, width * Embedding), width, Embedding)
            .Node("MatMul", ["pooled", "projection"], [output]);
    }

    private static void LayerNorm(OnnxModelBuilder builder, string x, string output, int width) =>
        builder.Weights(output + "_scale", Enumerable.Repeat(1f, width).ToArray(), width)
            .Weights(output + "_bias", new float[width], width)
            .Node("LayerNormalization", [x, output + "_scale", output + "_bias"], [output], ("axis", -1L), ("epsilon", 1e-5f));

    private static float[] Random(Random random, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (random.NextSingle() - 0.5f) * 0.04f;
        }
        return values;
    }
}
