using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tsunami.Inference.Onnx;
using Microsoft.ML.OnnxRuntime;
using Tsunami.Core.Imaging;
using Tsunami.Engine.Enrichment;
using Tsunami.Engine.Hosting;
using Tsunami.Engine.Ingest;
using Tsunami.Inference;
using Tsunami.Inference.Vision;
using Tsunami.Media.Analysis;
using Tsunami.Media.Decoding;
using Tsunami.TestKit;

namespace Tsunami.Benchmarks;

/// <summary>
/// Model stages one by one (median ms per photo, one thread, classifier at batch 1/4/16), then ingest with every
/// enrichment stage end to end at 2 workers, then enrich over the photos it stored, each with the share of time
/// inside ONNX Runtime.
/// </summary>
internal static class EnrichBenchmark
{
    private static readonly Option<int> Photos = new("--photos") { Description = "Photos for the end-to-end run", DefaultValueFactory = _ => 200 };
    private static readonly Option<int> Runs = new("--runs") { Description = "End-to-end runs; the median is reported", DefaultValueFactory = _ => 3 };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object" };

    private static readonly Option<bool> CompareOwnSessions = new("--own-sessions")
    {
        Description = "Alternate each end-to-end run with one where the pipeline opens sessions of its own instead of using the serving runtime",
    };

    public static Command Create()
    {
        var command = new Command("enrich", "Per-stage model latency, the end-to-end enriched ingest rate and the rate of enrich over stored photos") { Photos, Runs, Json, CompareOwnSessions };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var json = parse.GetValue(Json);
            var bound = ComputeBound.Measure();
            var stages = await StageLatenciesAsync(cancellationToken);
            var models = await ModelCostsAsync(bound, cancellationToken);
            var runs = new List<EndToEnd>();
            var ownRuns = new List<double>();
            for (var run = 0; run < parse.GetValue(Runs); run++)
            {
                runs.Add(await EndToEndAsync(parse.GetValue(Photos), bound, ownSessions: false, cancellationToken));
                if (parse.GetValue(CompareOwnSessions))
                {
                    ownRuns.Add((await EndToEndAsync(parse.GetValue(Photos), bound, ownSessions: true, cancellationToken)).PhotosPerSecond);
                }
            }
            var endToEnd = runs.OrderBy(r => r.PhotosPerSecond).ElementAt(runs.Count / 2);
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { peakGflopsPerThread = Math.Round(bound.PeakGflopsPerThread, 1), stagesMedianMs = stages, models, endToEnd = endToEnd.Figures, runs = runs.Select(r => r.PhotosPerSecond), storedRuns = runs.Select(r => r.Stored.PhotosPerSecond), ownSessionRuns = ownRuns }));
                return 0;
            }
            Console.WriteLine("Stage latency and throughput, one thread, median over the samples:");
            Console.WriteLine($"  {"stage",-28} {"ms/photo",9} {"photos/s",9}");
            foreach (var (stage, ms) in stages)
            {
                Console.WriteLine($"  {stage,-28} {ms,9:0.0} {1000 / ms,9:0}");
            }
            Console.WriteLine($"Compute bound: ONNX Runtime reaches {bound.PeakGflopsPerThread:0.0} GFLOP/s on one thread (float MatMul 256×1024×1024, median)");
            Console.WriteLine($"  {"model",-12} {"input",-16} {"GFLOP/run",10} {"run ms",8} {"bound ms",9} {"GFLOP/s",8}");
            foreach (var m in models)
            {
                Console.WriteLine($"  {m.Model,-12} {m.Input,-16} {m.Gflop,10:0.000} {m.RunMs,8:0.0} {m.BoundMs,9:0.0} {m.Gflops,8:0.0}");
            }
            Console.WriteLine($"End to end (ingest + every stage, 2 workers), photos/s of each run: {string.Join(", ", runs.Select(r => r.PhotosPerSecond))}");
            Console.WriteLine($"tsunami enrich --force over the stored photos (decoding the previews), photos/s of each run: {string.Join(", ", runs.Select(r => r.Stored.PhotosPerSecond))}");
            Console.WriteLine($"  share of its stages' time (decode and views included) that is not Session.Run: {string.Join(", ", runs.Select(r => r.Stored.PipelineOverheadShare))}");
            Console.WriteLine($"  share of the process's CPU time that is not Session.Run: {string.Join(", ", runs.Select(r => r.Stored.CpuOverheadShare))}");
            if (ownRuns.Count > 0)
            {
                Console.WriteLine($"The same with sessions of the pipeline's own, run after each: {string.Join(", ", ownRuns)}");
            }
            Console.WriteLine($"Median run: {JsonSerializer.Serialize(endToEnd.Figures)}");
            return 0;
        });
        return command;
    }

    private static async Task<Dictionary<string, double>> StageLatenciesAsync(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using var services = Services(temp, 1, intraOpThreads: 1);
        var models = await services.GetRequiredService<VisionModels>().GetAsync(cancellationToken);
        var processor = services.GetRequiredService<PhotoProcessor>();
        var files = Directory.GetFiles(RepositoryPaths.Samples, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/bad/", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith('.'))
            .Select(File.ReadAllBytes)
            .Concat(new[] { "HIGH VOLTAGE 42", "DANGER\nKEEP OUT", "SITE 12 PUMP" }.Select(t => TextPhotos.Sign(t)))
            .ToList();
        ViewSize[] sizes = [ViewSize.Longer(1280), ViewSize.Longer(416), ViewSize.Longer(640), ViewSize.Shorter(256), ViewSize.Longer(960), ViewSize.Longer(320)];
        var views = files.Select(f => processor.DecodeViews(f, sizes)).ToList();

        double Median(Action<IReadOnlyList<RgbImage>> run, int batch = 1)
        {
            run(views[0]);
            var times = new List<double>();
            for (var i = 0; i + batch <= views.Count; i += batch)
            {
                var watch = Stopwatch.StartNew();
                for (var k = 0; k < batch; k++)
                {
                    run(views[i + k]);
                }
                times.Add(watch.Elapsed.TotalMilliseconds / batch);
            }
            return Math.Round(times.Order().ElementAt(times.Count / 2), 1);
        }

        double Mean(Action<IReadOnlyList<RgbImage>> run)
        {
            var watch = Stopwatch.StartNew();
            views.ForEach(run);
            return Math.Round(watch.Elapsed.TotalMilliseconds / views.Count, 1);
        }

        double ClassifierAt(int batch)
        {
            var images = views.Select(v => v[3]).ToList();
            Wait(models.Classifier.ClassifyAsync(images.Take(batch).ToList(), cancellationToken));
            var times = new List<double>();
            for (var i = 0; i + batch <= images.Count; i += batch)
            {
                var watch = Stopwatch.StartNew();
                Wait(models.Classifier.ClassifyAsync(images.Skip(i).Take(batch).ToList(), cancellationToken));
                times.Add(watch.Elapsed.TotalMilliseconds / batch);
            }
            return Math.Round(times.Order().ElementAt(times.Count / 2), 1);
        }

        // What enrich decodes: the stored 1280 px previews of 1.7 MP photos, into the views every photo needs.
        var previews = BenchPhotos.Ensure(200).Take(20).Select(f => processor.Process(File.ReadAllBytes(f)).Preview.Content).ToList();
        var upFront = PhotoEnricher.UpFront(new InferenceOptions(), clipView: null);
        double PreviewMedian(Action<byte[]> run)
        {
            run(previews[0]);
            var times = Enumerable.Range(0, 3).SelectMany(_ => previews.Select(p => Time(() => run(p)))).Order().ToList();
            return Math.Round(times[times.Count / 2], 1);
        }
        var quality = services.GetRequiredService<QualityAnalyzer>();
        // Managed code: run it until the JIT has optimised it (tiering waits for start-up to calm), as in a long ingest.
        var warming = Stopwatch.StartNew();
        for (var i = 0; warming.Elapsed < TimeSpan.FromSeconds(2); i++)
        {
            quality.Analyze(views[i % views.Count][2], 1, 1);
        }

        return new Dictionary<string, double>
        {
            ["decode (all views)"] = Median(_ => { }) + Math.Round(files.Take(10).Average(f => Time(() => processor.DecodeViews(f, sizes))), 1),
            ["stored preview into its views"] = PreviewMedian(p => processor.OpenViews(p, upFront).Dispose()),
            ["  + the text view read later"] = PreviewMedian(p =>
            {
                using var views = processor.OpenViews(p, upFront);
                _ = views[ViewSize.Longer(new InferenceOptions().TextDetectionMaxSide)];
            }),
            ["quality (640 view)"] = Median(v => quality.Analyze(v[2], v[2].Width, v[2].Height)),
            ["objects (YOLOX-nano 416)"] = Median(v => Wait(models.Objects.DetectAsync(v[1]))),
            ["faces (YuNet 640)"] = Median(v => Wait(models.Faces.DetectAsync(v[2]))),
            ["labels (MobileNetV2) b=1"] = ClassifierAt(1),
            ["labels b=4"] = ClassifierAt(4),
            ["labels b=16"] = ClassifierAt(16),
            ["text gate (det 320)"] = Median(v => Wait(models.Text.ReadAsync(v[5], null))),
            ["text (gate + det 960 + rec)"] = Median(v => Wait(models.Text.ReadAsync(v[4], v[5]))),
            ["text without gate"] = Median(v => Wait(models.Text.ReadAsync(v[4], null))),
            ["text (gate...), mean"] = Mean(v => Wait(models.Text.ReadAsync(v[4], v[5]))),
            ["text without gate, mean"] = Mean(v => Wait(models.Text.ReadAsync(v[4], null))),
        };
    }

    private sealed record ModelFigures(string Model, string Input, double Gflop, double RunMs, double BoundMs, double Gflops);

    /// <summary>The shape each model is fed in the pipeline (text detection: a 4:3 photo at 960 px; a text line of 320 px).</summary>
    private static readonly Dictionary<string, long[]> PipelineShapes = new()
    {
        ["yolox-nano"] = [1, 3, 416, 416],
        ["mobilenetv2"] = [1, 3, 224, 224],
        ["yunet"] = [1, 3, 640, 640],
        ["ppocr-det"] = [1, 3, 736, 960],
        ["ppocr-cls"] = [1, 3, 48, 192],
        ["ppocr-rec"] = [1, 3, 48, 320],
    };

    /// <summary>Each model's FLOPs at its pipeline shape, its median Session.Run time on one thread, and the bound.</summary>
    private static async Task<List<ModelFigures>> ModelCostsAsync(ComputeBound bound, CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using var services = Services(temp, 1, intraOpThreads: 1);
        var models = await services.GetRequiredService<VisionModels>().GetAsync(cancellationToken);
        var figures = new List<ModelFigures>();
        foreach (var model in models.Runners.Select(r => r.Sessions[0]))
        {
            var shape = PipelineShapes[model.Name];
            var cost = bound.Cost(model, shape);
            var input = model.Session.InputMetadata.Single();
            var elements = (int)cost.InputElements;
            using var tensor = input.Value.ElementType == typeof(float)
                ? OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, elements).Select(i => (i % 255) / 255f).ToArray(), shape)
                : OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, elements).Select(i => (byte)(i % 255)).ToArray(), shape);
            var outputs = model.Session.OutputMetadata.Keys.ToList();
            var times = new List<double>();
            for (var run = 0; run < 8; run++)
            {
                var watch = Stopwatch.StartNew();
                using var results = model.Run([input.Key], [tensor], outputs);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            var ms = times.Skip(1).Order().ElementAt(3);
            var gflop = cost.Flops / 1e9;
            figures.Add(new ModelFigures(model.Name, string.Join('×', shape.Skip(1)), Math.Round(gflop, 3), Math.Round(ms, 1),
                Math.Round(gflop / bound.PeakGflopsPerThread * 1000, 1), Math.Round(gflop / (ms / 1000), 1)));
        }
        return figures;
    }

    private sealed record EndToEnd(double PhotosPerSecond, object Figures, Stored Stored);

    /// <summary>`tsunami enrich --force` over the same photos once stored: its rate and the share of its time that is not Session.Run.</summary>
    private sealed record Stored(double PhotosPerSecond, double PipelineOverheadShare, double CpuOverheadShare, object Figures);

    private static async Task<EndToEnd> EndToEndAsync(int count, ComputeBound bound, bool ownSessions, CancellationToken cancellationToken)
    {
        var photos = BenchPhotos.Ensure(count);
        using var temp = new TempDirectory();
        await using var services = Services(temp, 2, intraOpThreads: 1, ownSessions);
        var models = await services.GetRequiredService<VisionModels>().GetAsync(cancellationToken);
        var sessions = models.Sessions;
        var computeBefore = sessions.ToDictionary(s => s, s => s.ComputeTime);
        var elementsBefore = sessions.ToDictionary(s => s, s => s.InputElements);
        foreach (var model in sessions)
        {
            bound.Cost(model, PipelineShapes[model.Name]);
        }
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var ingest = await services.GetRequiredService<IngestService>().IngestAsync(
            new IngestRequest([Path.GetDirectoryName(photos[0])!], "bench", new Dictionary<string, string>(), Enrich: true), null, cancellationToken);
        var seconds = watch.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var modelSeconds = sessions.GroupBy(s => s.Name).ToDictionary(g => g.Key, g => Math.Round(g.Sum(s => (s.ComputeTime - computeBefore[s]).TotalSeconds), 1));
        var compute = sessions.Sum(s => (s.ComputeTime - computeBefore[s]).TotalSeconds);
        var gflopPerPhoto = sessions.Sum(s => bound.FlopsSince(s, elementsBefore[s])) / 1e9 / ingest.Ingested;
        var enrich = ingest.Enrichment!;
        var stages = ingest.Stages;
        var enrichment = enrich.StageTimes.Values.Sum(t => t.TotalSeconds);
        var work = enrichment + stages.Total.TotalSeconds;
        var stored = await StoredAsync(services, sessions, cancellationToken);
        SqliteConnection.ClearAllPools();
        return new EndToEnd(Math.Round(ingest.Ingested / seconds, 1), Stored: stored, Figures: new
        {
            photos = ingest.Ingested,
            enriched = enrich.Enriched,
            workers = 2,
            photosPerSecond = Math.Round(ingest.Ingested / seconds, 1),
            stageSeconds = enrich.StageTimes.ToDictionary(s => s.Key, s => Math.Round(s.Value.TotalSeconds, 1)),
            modelComputeSeconds = modelSeconds,
            gflopPerPhoto = Math.Round(gflopPerPhoto, 2),
            // Two workers, one ONNX Runtime thread each, every model at the large-MatMul rate.
            computeBoundPhotosPerSecond = Math.Round(2 * bound.PeakGflopsPerThread / gflopPerPhoto, 1),
            achievedGflopsPerThread = Math.Round(gflopPerPhoto * ingest.Ingested / compute, 1),
            ingestStageSeconds = new { read = Math.Round(stages.Read.TotalSeconds, 1), decode = Math.Round(stages.Decode.TotalSeconds, 1), views = Math.Round(stages.Views.TotalSeconds, 1), encode = Math.Round(stages.Encode.TotalSeconds, 1), store = Math.Round(stages.Store.TotalSeconds, 1) },
            cpuMsPerPhoto = Math.Round(cpu * 1000 / ingest.Ingested),
            onnxComputeShare = Math.Round(compute / work, 2),
            // Inside the enrichment stages, what is not Session.Run: tensors in and out, crops, NMS, decoding.
            enrichmentOverheadShare = Math.Round(1 - (compute / enrichment), 2),
            // What enriching adds to an ingest besides Session.Run: the stages' own work and the models' views.
            addedByEnrichmentShare = Math.Round(1 - (compute / (enrichment + stages.Views.TotalSeconds)), 2),
            // The same with the decoding it shares with ingest's preview and thumbnail counted too.
            withDecodeShare = Math.Round(1 - (compute / (enrichment + stages.Views.TotalSeconds + stages.Decode.TotalSeconds)), 2),
            // Everything but Session.Run, ingest's own decoding, encoding and storing included.
            allButModelsShare = Math.Round(1 - (compute / work), 2),
            enrichStored = stored.Figures,
        });
    }

    /// <summary>
    /// `tsunami enrich --force` over the photos just stored: the pipeline on its own, from the stored preview's bytes
    /// (read, decoded, viewed) to the results committed, so that its decode is its own.
    /// </summary>
    private static async Task<Stored> StoredAsync(ServiceProvider services, IReadOnlyList<OnnxModel> sessions, CancellationToken cancellationToken)
    {
        var computeBefore = sessions.ToDictionary(s => s, s => s.ComputeTime);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var result = await services.GetRequiredService<EnrichmentService>().EnrichAsync(new EnrichRequest("bench", [], Force: true), null, cancellationToken);
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var compute = sessions.Sum(s => (s.ComputeTime - computeBefore[s]).TotalSeconds);
        var timed = result.StageTimes.Values.Sum(t => t.TotalSeconds);
        var photosPerSecond = Math.Round(result.Enriched / result.Elapsed.TotalSeconds, 1);
        var pipelineOverhead = Math.Round(1 - (compute / timed), 2);
        var cpuOverhead = Math.Round(1 - (compute / cpu), 2);
        return new Stored(photosPerSecond, pipelineOverhead, cpuOverhead, new
        {
            photosPerSecond,
            stageSeconds = result.StageTimes.ToDictionary(s => s.Key, s => Math.Round(s.Value.TotalSeconds, 1)),
            computeSeconds = Math.Round(compute, 1),
            cpuMsPerPhoto = Math.Round(cpu * 1000 / result.Enriched),
            // Reading and decoding the preview, its views and every stage: all but Session.Run.
            pipelineOverheadShare = pipelineOverhead,
            // The process's CPU time that is not Session.Run: storing, scheduling and the runtime's own work too.
            cpuOverheadShare = cpuOverhead,
        });
    }

    /// <summary>Waits for the stage on this thread: the stages are timed one at a time.</summary>
    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static ServiceProvider Services(TempDirectory temp, int workers, int intraOpThreads, bool ownSessions = false)
    {
        var configuration = TsunamiConfiguration.Build(temp.Combine("data"),
        [
            new("Ingest:Parallelism", workers.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Inference:IntraOpThreads", intraOpThreads.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Models:Manifest", Path.Combine(RepositoryPaths.Root, "config", "models.json")),
            new("Serving:BuiltInModels", Path.Combine(RepositoryPaths.Root, "config", "serving.json")),
            new("Models:SharedDirectory", RepositoryPaths.SharedModels),
        ]);
        var services = new ServiceCollection().AddLogging().AddTsunami(configuration);
        if (ownSessions)
        {
            services.RemoveAll<IModelRunners>();
            services.AddSingleton<IModelRunners, OwnSessions>();
        }
        return services.BuildServiceProvider();
    }
}
