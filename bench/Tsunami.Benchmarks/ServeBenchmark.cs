using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Tsunami.Server;
using Tsunami.TestKit;

namespace Tsunami.Benchmarks;

/// <summary>
/// Questions over HTTP under concurrent load: the server on loopback over a synthetic store (the ask benchmark's),
/// C closed-loop clients each asking the ask benchmark's questions in turn through GET /api/ask.
/// </summary>
internal static class ServeBenchmark
{
    private static readonly Option<int> Size = new("--size") { Description = "Photos in the synthetic store", DefaultValueFactory = _ => 100_000 };
    private static readonly Option<string> Concurrency = new("--concurrency") { Description = "Comma-separated client counts", DefaultValueFactory = _ => "1,4,16,64" };
    private static readonly Option<double> Seconds = new("--seconds") { Description = "Measuring time per point", DefaultValueFactory = _ => 10 };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object" };

    private sealed record Point(int Clients, double QuestionsPerSecond, double P50, double P99, int Errors);

    public static Command Create()
    {
        var command = new Command("serve", "GET /api/ask over HTTP under 1–64 concurrent clients on a synthetic store") { Size, Concurrency, Seconds, Json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var size = parse.GetValue(Size);
            var data = await AskBenchmark.EnsureStoreAsync(size, cancellationToken);
            using var temp = new TempDirectory();
            string[] settings =
            [
                $"--Storage:DataDirectory={data}",
                $"--Serving:Repository={temp.Combine("models")}",
                $"--Serving:BuiltInModels={temp.Combine("none.json")}",
                $"--Models:SharedDirectory={RepositoryPaths.SharedModels}",
                $"--Models:Manifest={Path.Combine(RepositoryPaths.Root, "config", "models.json")}",
                "--Logging:LogLevel:Default=Warning",
            ];
            await using var app = TsunamiServer.Build(new ServerSettings(Port: 0, GrpcPort: null), settings);
            await app.StartAsync(cancellationToken);
            var address = ClosedLoop.Address(app);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
            var now = Uri.EscapeDataString(SyntheticStore.Now.ToString("O", CultureInfo.InvariantCulture));
            var paths = AskBenchmark.QuestionKinds().SelectMany(k => k.Questions).Select(q => $"/api/ask?q={Uri.EscapeDataString(q)}&limit=20&now={now}").ToArray();

            // Warm: models loaded, vectors cached, code jitted.
            foreach (var path in paths)
            {
                (await http.GetAsync(path, cancellationToken)).EnsureSuccessStatusCode();
            }
            var points = new List<Point>();
            foreach (var clients in parse.GetValue(Concurrency)!.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)))
            {
                points.Add(await LoadAsync(http, paths, clients, parse.GetValue(Seconds)));
            }
            if (parse.GetValue(Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { size, questions = paths.Length, points }));
                return 0;
            }
            Console.WriteLine($"GET /api/ask over loopback, {size:N0} synthetic photos, {paths.Length} questions in turn, {parse.GetValue(Seconds)} s a point:");
            Console.WriteLine($"  {"clients",7} {"questions/s",12} {"p50 ms",8} {"p99 ms",8} {"errors",6}");
            foreach (var p in points)
            {
                Console.WriteLine($"  {p.Clients,7} {p.QuestionsPerSecond,12:0.0} {p.P50,8:0.0} {p.P99,8:0.0} {p.Errors,6}");
            }
            return 0;
        });
        return command;
    }

    private static async Task<Point> LoadAsync(HttpClient http, string[] paths, int clients, double seconds)
    {
        var figures = await ClosedLoop.RunAsync(clients, seconds, async (client, n) =>
        {
            using var response = await http.GetAsync(paths[(client + n) % paths.Length]);
            await response.Content.ReadAsByteArrayAsync();
            return response.IsSuccessStatusCode;
        });
        return new Point(clients, figures.PerSecond, figures.P50, figures.P99, figures.Errors);
    }
}
