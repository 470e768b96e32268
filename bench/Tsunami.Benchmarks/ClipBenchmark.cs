using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using Tsunami.Core.Imaging;
using Tsunami.Engine.Clip;
using Tsunami.Engine.Hosting;
using Tsunami.Inference.Onnx.Graph;
using Tsunami.Serving.Runtime;
using Tsunami.TestKit;

namespace Tsunami.Benchmarks;

/// <summary>
/// CLIP embedding speed on a model set of ViT-B/32's shapes (ClipShapedModels), installed like any set: photos/s and
/// texts/s at batch 1, 8 and 32 through the serving runtime (items sent at once, merged by the batcher, as the
/// pipeline sends them) and straight on the session at fixed batches, beside the compute bound.
/// </summary>
internal static class ClipBenchmark
{
    private static readonly Option<int> Rounds = new("--rounds") { Description = "Timed rounds per point (median reported)", DefaultValueFactory = _ => 3 };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object" };
    private static readonly int[] Batches = [1, 8, 32];

    private sealed record Point(string Tower, int Batch, double PipelinePerSecond, double SessionPerSecond);

    public static Command Create()
    {
        var command = new Command("clip", "CLIP photo and text embedding rate at batch 1/8/32 on a ViT-B/32-shaped model, with the compute bound") { Rounds, Json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var rounds = parse.GetValue(Rounds);
            using var temp = new TempDirectory();
            var set = Directory.CreateDirectory(temp.Combine("vit-b-32-shaped")).FullName;
            WriteSet(set);
            var configuration = TsunamiConfiguration.Build(temp.Combine("data"),
            [
                new("Models:Manifest", Path.Combine(RepositoryPaths.Root, "config", "models.json")),
                new("Serving:BuiltInModels", Path.Combine(RepositoryPaths.Root, "config", "serving.json")),
                new("Models:SharedDirectory", RepositoryPaths.SharedModels),
            ]);
            await using var services = new ServiceCollection().AddLogging().AddTsunami(configuration).BuildServiceProvider();
            services.GetRequiredService<ClipInstallation>().Add(set);
            var model = (await services.GetRequiredService<ClipModels>().GetAsync(cancellationToken))!;
            var runtime = services.GetRequiredService<ModelRuntime>();

            var bound = ComputeBound.Measure();
            var visualFlops = FlopCounter.Count("visual", model.Folder.VisualModel, new Dictionary<string, long[]> { ["pixel_values"] = [1, 3, 224, 224] }).Flops;
            var textFlops = FlopCounter.Count("text", model.Folder.TextModel, new Dictionary<string, long[]> { ["input_ids"] = [1, 77] }).Flops;
            var threads = Environment.ProcessorCount;

            var view = new RgbImage(224, 224, Enumerable.Range(0, 224 * 224 * 3).Select(i => (byte)(i * 7)).ToArray());
            var points = new List<Point>();
            foreach (var batch in Batches)
            {
                var photos = Enumerable.Repeat(view, batch).ToList();
                var texts = Enumerable.Range(0, batch).Select(i => $"a photo of a corroded bolt number {i} on a high voltage pylon").ToList();
                await model.EmbedImagesAsync(photos, cancellationToken);
                await model.EmbedTextsAsync(texts, cancellationToken);
                var photosPerSecond = batch / Median(rounds, () => model.EmbedImagesAsync(photos, cancellationToken).GetAwaiter().GetResult());
                var textsPerSecond = batch / Median(rounds, () => model.EmbedTextsAsync(texts, cancellationToken).GetAwaiter().GetResult());
                points.Add(new Point("photos", batch, Math.Round(photosPerSecond, 1), Math.Round(batch / Session(runtime.Get(ClipServedModels.Visual), [batch, 3, 224, 224], rounds), 1)));
                points.Add(new Point("texts", batch, Math.Round(textsPerSecond, 1), Math.Round(batch / Session(runtime.Get(ClipServedModels.Textual), [batch, 77], rounds), 1)));
            }
            var visualBound = threads * bound.PeakGflopsPerThread * 1e9 / visualFlops;
            var textBound = threads * bound.PeakGflopsPerThread * 1e9 / textFlops;
            if (parse.GetValue(Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    peakGflopsPerThread = Math.Round(bound.PeakGflopsPerThread, 1), threads,
                    visualGflop = Math.Round(visualFlops / 1e9, 3), textGflop = Math.Round(textFlops / 1e9, 3),
                    photosPerSecondBound = Math.Round(visualBound, 1), textsPerSecondBound = Math.Round(textBound, 1), points,
                }));
                return;
            }
            Console.WriteLine($"ViT-B/32-shaped CLIP, {threads} threads; ONNX Runtime peak {bound.PeakGflopsPerThread:0.0} GFLOP/s a thread");
            Console.WriteLine($"  photo: {visualFlops / 1e9:0.000} GFLOP → bound {visualBound:0.0} photos/s; text: {textFlops / 1e9:0.000} GFLOP → bound {textBound:0.0} texts/s");
            Console.WriteLine($"  {"",-7} {"batch",5} {"runtime items/s",16} {"session items/s",16}");
            foreach (var p in points)
            {
                Console.WriteLine($"  {p.Tower,-7} {p.Batch,5} {p.PipelinePerSecond,16:0.0} {p.SessionPerSecond,16:0.0}");
            }
        });
        return command;
    }

    private static void WriteSet(string folder)
    {
        var clip = Path.Combine(RepositoryPaths.SharedModels, "clip");
        File.Copy(Path.Combine(clip, "vocab.json"), Path.Combine(folder, "vocab.json"));
        File.Copy(Path.Combine(clip, "merges.txt"), Path.Combine(folder, "merges.txt"));
        File.WriteAllText(Path.Combine(folder, "preprocessor_config.json"), """
            { "crop_size": 224, "do_center_crop": true, "image_mean": [0.48145466, 0.4578275, 0.40821073],
              "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "size": 224 }
            """);
        ClipShapedModels.WriteVisual(Path.Combine(folder, "vision_model.onnx"));
        ClipShapedModels.WriteText(Path.Combine(folder, "text_model.onnx"), ClipTestModels.Vocabulary().Count);
    }

    /// <summary>Median seconds of one run of the tower's first session at a fixed batch (zeros in).</summary>
    private static double Session(ServedModel model, long[] shape, int rounds)
    {
        var session = model.Instances[0].Session;
        var input = model.Inputs[0];
        using var value = input.DataType == "FP32"
            ? OrtValue.CreateTensorValueFromMemory(new float[shape.Aggregate(1L, (a, b) => a * b)], shape)
            : OrtValue.CreateTensorValueFromMemory(new long[shape.Aggregate(1L, (a, b) => a * b)], shape);
        using var options = new RunOptions();
        return Median(rounds, () =>
        {
            using var outputs = session.Run(options, [input.Name], [value], [model.Outputs[0].Name]);
        });
    }

    private static double Median(int rounds, Action run)
    {
        var times = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            run();
            times.Add(watch.Elapsed.TotalSeconds);
        }
        return times.Order().ElementAt(times.Count / 2);
    }
}
