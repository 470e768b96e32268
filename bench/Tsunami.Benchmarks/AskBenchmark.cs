using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Tsunami.Engine.Ask;
using Tsunami.Engine.Hosting;
using Tsunami.Inference.Vision;
using Tsunami.TestKit;

namespace Tsunami.Benchmarks;

/// <summary>
/// Ask latency on synthetic stores of growing size: p50 and p99 per question kind, in a warm process (vectors
/// cached, models loaded), as the server runs it.
/// </summary>
internal static class AskBenchmark
{
    private static readonly Option<string> Sizes = new("--sizes") { Description = "Store sizes, comma-separated", DefaultValueFactory = _ => "10000,100000" };
    private static readonly Option<int> Runs = new("--runs") { Description = "Runs of each question", DefaultValueFactory = _ => 20 };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object" };

    internal static (string Kind, string[] Questions)[] QuestionKinds()
    {
        var (lat, lon) = SyntheticStore.SiteCentre(5);
        var near = string.Create(CultureInfo.InvariantCulture, $"near {lat:0.###},{lon:0.###} within 2 km");
        return
        [
            ("thing", ["photos with a truck", "pictures of a dog", "photos with a bus"]),
            ("concept", ["pictures of vehicles", "photos of machines"]),
            ("count", ["photos with more than 3 people", "photos with exactly one truck"]),
            ("text", ["photos with the text HIGH VOLTAGE", "labels that say PUMP 7", "photos with the text AUTHORIZED PERSONNEL"]),
            ("time + tag", ["photos from site 12 last week", "photos from site 3 in March 2025"]),
            ("place", [$"photos {near}"]),
            ("quality", ["blurry photos taken yesterday", "dark photos from site 2"]),
            ("negation", ["photos of trucks without people"]),
            ("filter + text + vector", ["machinery from site 12 with the text DANGER", "equipment with the text HIGH VOLTAGE taken last month"]),
        ];
    }

    public static Command Create()
    {
        var command = new Command("ask", "Ask latency p50/p99 per question kind on synthetic stores of 10K, 100K (and 1M) photos") { Sizes, Runs, Json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var sizes = parse.GetValue(Sizes)!.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
            var runs = parse.GetValue(Runs);
            var json = parse.GetValue(Json);
            var report = new List<object>();
            foreach (var size in sizes)
            {
                var build = Stopwatch.StartNew();
                var data = await EnsureStoreAsync(size, cancellationToken);
                var prepared = build.Elapsed;
                await using var services = Services(data);
                var ask = services.GetRequiredService<AskService>();
                if (!json)
                {
                    Console.WriteLine($"{size:N0} photos (store ready in {prepared.TotalSeconds:0.0} s) — ms per question, {runs} runs each:");
                    Console.WriteLine($"  {"kind",-24} {"p50",7} {"p99",7}  matches");
                }
                var kinds = new List<object>();
                foreach (var (kind, questions) in QuestionKinds())
                {
                    var times = new List<double>();
                    var matches = new List<int>();
                    foreach (var question in questions)
                    {
                        matches.Add((await ask.AskAsync(question, new AskOptions(20, SyntheticStore.Now), cancellationToken)).Matches);
                        for (var run = 0; run < runs; run++)
                        {
                            var watch = Stopwatch.StartNew();
                            await ask.AskAsync(question, new AskOptions(20, SyntheticStore.Now), cancellationToken);
                            times.Add(watch.Elapsed.TotalMilliseconds);
                        }
                    }
                    times.Sort();
                    var p50 = Math.Round(times[times.Count / 2], 1);
                    var p99 = Math.Round(times[Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * 0.99) - 1)], 1);
                    kinds.Add(new { kind, p50, p99, matches });
                    if (!json)
                    {
                        Console.WriteLine($"  {kind,-24} {p50,7:0.0} {p99,7:0.0}  {string.Join(" / ", matches)}");
                    }
                }
                report.Add(new { photos = size, kinds });
                SqliteConnection.ClearAllPools();
            }
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(report));
            }
            return 0;
        });
        return command;
    }

    internal static async Task<string> EnsureStoreAsync(int size, CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using var services = Services(temp.Combine("data"));
        var semantic = (await services.GetRequiredService<VisionModels>().GetAsync(cancellationToken)).Semantic;
        return await SyntheticStore.EnsureAsync(size, semantic.EmbedQuery, cancellationToken);
    }

    private static ServiceProvider Services(string data) =>
        new ServiceCollection().AddLogging().AddTsunami(TsunamiConfiguration.Build(data,
        [
            new("Models:Manifest", Path.Combine(RepositoryPaths.Root, "config", "models.json")),
            new("Serving:BuiltInModels", Path.Combine(RepositoryPaths.Root, "config", "serving.json")),
            new("Models:SharedDirectory", RepositoryPaths.SharedModels),
        ])).BuildServiceProvider();
}
