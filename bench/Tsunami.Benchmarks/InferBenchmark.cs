using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using Tsunami.Server;
using Tsunami.Serving.Runtime;
using Tsunami.Serving.Tensors;
using Tsunami.TestKit;

namespace Tsunami.Benchmarks;

/// <summary>
/// A closed-loop load generator like Triton's perf_analyzer: C clients each send a request, wait for its answer and
/// send the next, against a real server on loopback, for each concurrency with dynamic batching on and off; then the
/// offline throughput of fixed batch sizes run straight on the model's sessions, the ceiling batching aims at.
/// </summary>
internal static class InferBenchmark
{
    private static readonly Option<string> Model = new("--model") { Description = "A default model: mobilenetv2, ppocr-rec, ppocr-cls, ppocr-det or yolox-nano", DefaultValueFactory = _ => "ppocr-rec" };
    private static readonly Option<string> Concurrency = new("--concurrency") { Description = "Comma-separated client counts", DefaultValueFactory = _ => "1,2,4,8,16,32" };
    private static readonly Option<double> Seconds = new("--seconds") { Description = "Measuring time per point", DefaultValueFactory = _ => 6 };
    private static readonly Option<int> Delay = new("--max-queue-delay-us") { Description = "The batching variant's max_queue_delay_microseconds", DefaultValueFactory = _ => 2000 };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object" };

    /// <summary>The shape one request carries (batch 1), per default model.</summary>
    private static readonly Dictionary<string, long[]> Shapes = new()
    {
        ["mobilenetv2"] = [1, 3, 224, 224],
        ["ppocr-rec"] = [1, 3, 48, 320],
        ["ppocr-det"] = [1, 3, 320, 320],
        ["ppocr-cls"] = [1, 3, 48, 192],
        ["yolox-nano"] = [1, 3, 416, 416],
    };

    private sealed record Point(string Mode, int Clients, double InferencesPerSecond, double P50, double P95, double P99, double MeanBatch, int Errors);

    public static Command Create()
    {
        var command = new Command("infer", "Open Inference Protocol throughput and latency under concurrent clients, batching on and off") { Model, Concurrency, Seconds, Delay, Json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var model = parse.GetValue(Model)!;
            if (!Shapes.TryGetValue(model, out var shape))
            {
                throw new ArgumentException($"--model: '{model}' is not one of {string.Join(", ", Shapes.Keys)}");
            }
            var clients = parse.GetValue(Concurrency)!.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToList();
            var seconds = parse.GetValue(Seconds);
            var delay = parse.GetValue(Delay);
            using var temp = new TempDirectory();
            await using var server = await StartAsync(temp, model, delay, cancellationToken);
            var runtime = server.Services.GetRequiredService<ModelRuntime>();
            var served = runtime.Get(model);
            var body = Body(served.Inputs[0].Name, shape);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = ClosedLoop.Address(server), Timeout = TimeSpan.FromMinutes(1) };

            var points = new List<Point>();
            (string Mode, string Name)[] modes = [("batching", model + "-batching"), ("no batching", model + "-nobatch")];
            foreach (var (_, name) in modes)
            {
                await LoadAsync(http, name, body, 8, 2);
            }
            // Modes alternate at each concurrency, so that drift on a noisy machine does not favour one.
            foreach (var count in clients)
            {
                foreach (var (mode, name) in modes)
                {
                    points.Add(await LoadAsync(http, name, body, count, seconds, mode));
                }
            }
            // The same runtime called in process, as the enrichment pipeline calls it: the batcher without HTTP.
            var request = new InferRequest(null, [new InferTensor(served.Inputs[0].Name, "FP32", shape, body.AsMemory(4 + BitConverter.ToInt32(body, 0)))]);
            foreach (var count in clients)
            {
                foreach (var (mode, name) in modes)
                {
                    points.Add(await CallAsync(runtime.Get(name), request, count, seconds, "in-process " + mode, http));
                }
            }
            var offline = Offline(served, shape, seconds / 2);
            var config = served.Config;
            var p99Bound = P99Bound(offline, config.MaxBatchSize, served.InstanceCount, delay);
            var summary = new
            {
                model,
                requestShape = shape,
                instances = served.InstanceCount,
                maxBatchSize = config.MaxBatchSize,
                maxQueueDelayMs = delay / 1000.0,
                points,
                offlineInferencesPerSecond = offline,
                p99BoundMs = p99Bound,
            };
            if (parse.GetValue(Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(summary));
                return 0;
            }
            Console.WriteLine($"{model}: requests of [{string.Join(',', shape)}], {served.InstanceCount} instance(s), max_batch_size {config.MaxBatchSize}, " +
                $"max queue delay {summary.maxQueueDelayMs} ms; {seconds} s a point, closed loop over HTTP on loopback (binary tensors)");
            Console.WriteLine($"  {"mode",-22} {"clients",7} {"infer/s",9} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"batch",6} {"errors",6}");
            foreach (var p in points)
            {
                Console.WriteLine($"  {p.Mode,-22} {p.Clients,7} {p.InferencesPerSecond,9:0.0} {p.P50,8:0.0} {p.P95,8:0.0} {p.P99,8:0.0} {p.MeanBatch,6:0.0} {p.Errors,6}");
            }
            Console.WriteLine($"  offline (Session.Run back to back on every instance), inferences/s by batch size: " +
                string.Join(", ", offline.Select(o => $"{o.Key}: {o.Value:0.0}")));
            var best = offline.MaxBy(o => o.Value);
            var batched = points.Where(p => !p.Mode.EndsWith("no batching", StringComparison.Ordinal)).ToList();
            Console.WriteLine($"  best fixed batch {best.Key}: {best.Value:0.0}/s; at each concurrency, batching's share of it: " +
                string.Join(", ", batched.Select(p => $"{p.Mode} c{p.Clients} {p.InferencesPerSecond / best.Value:0%}")));
            Console.WriteLine($"  p99 bound, max queue delay + one full batch ({Math.Max(1, config.MaxBatchSize)}) computed on one instance: {p99Bound:0.0} ms; " +
                "batching points within it: " + string.Join(", ", batched.Where(p => p.P99 <= p99Bound).Select(p => $"{p.Mode} c{p.Clients}")));
            return 0;
        });
        return command;
    }

    private static async Task<WebApplication> StartAsync(TempDirectory temp, string model, int delay, CancellationToken cancellationToken)
    {
        var repository = temp.Combine("repository");
        var settings = new List<string>
        {
            $"--Serving:Repository={repository}",
            $"--Storage:DataDirectory={temp.Combine("data")}",
            $"--Models:SharedDirectory={RepositoryPaths.SharedModels}",
            $"--Models:Manifest={Path.Combine(RepositoryPaths.Root, "config", "models.json")}",
            $"--Serving:BuiltInModels={Path.Combine(RepositoryPaths.Root, "config", "serving.json")}",
            "--Logging:LogLevel:Default=Warning",
        };
        var app = TsunamiServer.Build(new ServerSettings(Port: 0, GrpcPort: null), [.. settings]);
        await app.StartAsync(cancellationToken);
        var runtime = app.Services.GetRequiredService<ModelRuntime>();
        // The same file and instances twice, whatever the shipped configuration says: with the dynamic batcher
        // (the given delay, preferred batch 8) and without it (each request runs alone).
        var served = runtime.Get(model);
        var config = served.Config;
        foreach (var (suffix, batching) in new[] { ("-batching", true), ("-nobatch", false) })
        {
            var folder = Path.Combine(repository, model + suffix);
            Directory.CreateDirectory(Path.Combine(folder, "1"));
            File.CreateSymbolicLink(Path.Combine(folder, "1", "model.onnx"), served.Location.Path);
            File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(new
            {
                name = model + suffix,
                max_batch_size = config.MaxBatchSize,
                dynamic_batching = batching && config.MaxBatchSize > 0
                    ? new { preferred_batch_size = new[] { Math.Min(8, config.MaxBatchSize) }, max_queue_delay_microseconds = delay }
                    : null,
                instance_group = config.InstanceGroup.Select(g => new { count = g.Count, kind = g.Kind }),
            }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull }));
            await runtime.LoadAsync(model + suffix, cancellationToken);
        }
        return app;
    }

    private static byte[] Body(string input, long[] shape)
    {
        var elements = (int)InferTensor.ElementCount(shape);
        var data = new byte[elements * 4];
        for (var i = 0; i < elements; i++)
        {
            BitConverter.TryWriteBytes(data.AsSpan(i * 4), (float)Math.Sin(i * 0.01));
        }
        var header = Encoding.UTF8.GetBytes($$"""{ "inputs": [ { "name": "{{input}}", "datatype": "FP32", "shape": [{{string.Join(',', shape)}}], "parameters": { "binary_data_size": {{data.Length}} } } ], "parameters": { "binary_data_output": true } }""");
        return [.. BitConverter.GetBytes(header.Length), .. header, .. data];
    }

    private static async Task<Point> LoadAsync(HttpClient http, string model, byte[] body, int clients, double seconds, string mode = "warm-up")
    {
        var headerLength = BitConverter.ToInt32(body, 0).ToString(CultureInfo.InvariantCulture);
        var payload = body.AsMemory(4);
        return await MeasureAsync(http, model, mode, clients, seconds, async (_, _) =>
        {
            var content = new ReadOnlyMemoryContent(payload);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.Add("Inference-Header-Content-Length", headerLength);
            using var response = await http.PostAsync($"/v2/models/{model}/infer", content);
            await response.Content.ReadAsByteArrayAsync();
            return response.IsSuccessStatusCode;
        });
    }

    private static Task<Point> CallAsync(ServedModel model, InferRequest request, int clients, double seconds, string mode, HttpClient http) =>
        MeasureAsync(http, model.Name, mode, clients, seconds, async (_, _) =>
        {
            await model.InferAsync(request, CancellationToken.None);
            return true;
        });

    /// <summary>A closed loop of calls, with the mean batch the server formed meanwhile (from its metrics).</summary>
    private static async Task<Point> MeasureAsync(HttpClient http, string model, string mode, int clients, double seconds, Func<int, int, Task<bool>> call)
    {
        var inferencesBefore = await MetricAsync(http, "tsunami_inference_count", model);
        var executionsBefore = await MetricAsync(http, "tsunami_inference_exec_count", model);
        var figures = await ClosedLoop.RunAsync(clients, seconds, call);
        var inferences = await MetricAsync(http, "tsunami_inference_count", model) - inferencesBefore;
        var executions = await MetricAsync(http, "tsunami_inference_exec_count", model) - executionsBefore;
        return new Point(mode, clients, figures.PerSecond, figures.P50, figures.P95, figures.P99,
            Math.Round(executions == 0 ? 0 : inferences / executions, 1), figures.Errors);
    }

    /// <summary>Fixed batches run back to back on every instance at once, straight on the sessions: no HTTP, no queue.</summary>
    private static Dictionary<int, double> Offline(ServedModel model, long[] shape, double seconds)
    {
        var sizes = model.Config.MaxBatchSize == 0 ? [1] : new[] { 1, 2, 4, 8, 16, 32 }.Where(b => b <= model.Config.MaxBatchSize).ToArray();
        var result = new Dictionary<int, double>();
        foreach (var batch in sizes)
        {
            var total = 0L;
            var watch = Stopwatch.StartNew();
            Parallel.For(0, model.InstanceCount, new ParallelOptions { MaxDegreeOfParallelism = model.InstanceCount }, instance =>
            {
                var session = model.Instances[instance].Session;
                long[] batched = [batch, .. shape[1..]];
                using var input = OrtValue.CreateTensorValueFromMemory(new float[InferTensor.ElementCount(batched)], batched);
                using var options = new RunOptions();
                while (watch.Elapsed.TotalSeconds < seconds)
                {
                    using var outputs = session.Run(options, [model.Inputs[0].Name], [input], model.Outputs.Select(o => o.Name).ToList());
                    Interlocked.Add(ref total, batch);
                }
            });
            result[batch] = Math.Round(total / watch.Elapsed.TotalSeconds, 1);
        }
        return result;
    }

    /// <summary>
    /// The latency a batched request should stay under (the issue's "max queue delay + one batch's compute"): the
    /// delay, plus a full batch computed on one instance at the per-item rate of the largest batch measured offline.
    /// </summary>
    private static double P99Bound(Dictionary<int, double> offline, int maxBatchSize, int instances, int delayMicroseconds)
    {
        var largest = offline.MaxBy(o => o.Key);
        return Math.Round(delayMicroseconds / 1000.0 + Math.Max(1, maxBatchSize) * instances / largest.Value * 1000, 1);
    }

    private static async Task<double> MetricAsync(HttpClient http, string metric, string model)
    {
        var text = await http.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l.Contains($"model=\"{model}\"", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
