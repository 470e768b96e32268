using Microsoft.ML.OnnxRuntime.Tensors;
using Tsunami.Inference.Onnx.Graph;

namespace Tsunami.Server.Tests;

/// <summary>
/// A model repository of small real ONNX models the tests generate, with known weights so that every answer can be
/// computed independently.
/// </summary>
public sealed class TestRepository : IDisposable
{
    public static readonly float[] Weights = [1, 0, 2, 0.5f, -1, 1, 0, 2, 3, 1, 1, -2];
    public static readonly float[] Bias = [0.5f, -1, 2];

    private readonly TempDirectory _temp = new();

    public TestRepository()
    {
        Directory.CreateDirectory(Folder);
        var affine = Affine();
        Add("affine", affine, """
            { "name": "affine", "max_batch_size": 8,
              "dynamic_batching": { "max_queue_delay_microseconds": 100000, "max_queue_size": 64 },
              "instance_group": [ { "count": 1 } ] }
            """);
        Add("affine-single", affine, """{ "name": "affine-single", "max_batch_size": 8 }""");
        Add("fragile", Fragile(), """{ "name": "fragile", "max_batch_size": 0 }""");
        Add("slow", Slow(), """
            { "name": "slow", "max_batch_size": 4, "instance_group": [ { "count": 1 } ],
              "dynamic_batching": { "max_queue_delay_microseconds": 0, "max_queue_size": 1 } }
            """);
    }

    public string Folder => _temp.Combine("repository");

    public string DataDirectory => _temp.Combine("data");

    /// <summary>The settings that point a server at this repository and at no built-in model.</summary>
    public Dictionary<string, string> Settings => new()
    {
        ["Serving:Repository"] = Folder,
        ["Serving:BuiltInModels"] = _temp.Combine("no-built-ins.json"),
        ["Storage:DataDirectory"] = DataDirectory,
    };

    /// <summary>The same with the default models served as they ship: the enrichment pipeline runs through them.</summary>
    public Dictionary<string, string> SettingsWithDefaultModels => new(Settings)
    {
        ["Serving:BuiltInModels"] = Path.Combine(RepositoryPaths.Root, "config", "serving.json"),
    };

    public void Add(string name, byte[] model, string config, string version = "1")
    {
        Directory.CreateDirectory(Path.Combine(Folder, name, version));
        File.WriteAllBytes(Path.Combine(Folder, name, version, "model.onnx"), model);
        File.WriteAllText(Path.Combine(Folder, name, "config.json"), config);
    }

    /// <summary>y = x·W + b for a batch of 4-vectors.</summary>
    public static float[] AffineOf(float[] x)
    {
        var y = new float[x.Length / 4 * 3];
        for (var row = 0; row < x.Length / 4; row++)
        {
            for (var j = 0; j < 3; j++)
            {
                var sum = Bias[j];
                for (var k = 0; k < 4; k++)
                {
                    sum += x[(row * 4) + k] * Weights[(k * 3) + j];
                }
                y[(row * 3) + j] = sum;
            }
        }
        return y;
    }

    /// <summary>The model behind "affine": y = x·W + b for a batch of 4-vectors.</summary>
    public static byte[] Affine() => new OnnxModelBuilder("affine")
        .Input("x", TensorElementType.Float, null, 4)
        .Weights("w", Weights, 4, 3)
        .Weights("b", Bias, 3)
        .Node("MatMul", ["x", "w"], ["xw"])
        .Node("Add", ["xw", "b"], ["y"])
        .Output("y", TensorElementType.Float, null, 3)
        .ToBytes();

    /// <summary>Reshapes its input to 2×2: any input of another size makes ONNX Runtime throw at run time.</summary>
    private static byte[] Fragile() => new OnnxModelBuilder("fragile")
        .Input("x", TensorElementType.Float, (long?)null)
        .Int64s("square", 2, 2)
        .Node("Reshape", ["x", "square"], ["y"])
        .Output("y", TensorElementType.Float, 2, 2)
        .ToBytes();

    /// <summary>Tens of milliseconds a run: each row repeated 256 times through a chain of 1024×1024 products, then averaged.</summary>
    private static byte[] Slow()
    {
        var builder = new OnnxModelBuilder("slow")
            .Input("x", TensorElementType.Float, null, 1024)
            .Weights("w", Enumerable.Range(0, 1024 * 1024).Select(i => (i % 7) / 7000f).ToArray(), 1024, 1024)
            .Int64s("middle", 1)
            .Int64s("repeats", 1, 256, 1)
            .Node("Unsqueeze", ["x", "middle"], ["x3"])
            .Node("Tile", ["x3", "repeats"], ["h0"]);
        const int Layers = 16;
        for (var i = 0; i < Layers; i++)
        {
            builder.Node("MatMul", [$"h{i}", "w"], [$"h{i + 1}"]);
        }
        return builder
            .Node("ReduceMean", [$"h{Layers}", "middle"], ["y"], ("keepdims", 0L))
            .Output("y", TensorElementType.Float, null, 1024)
            .ToBytes(18);
    }

    public void Dispose() => _temp.Dispose();
}
