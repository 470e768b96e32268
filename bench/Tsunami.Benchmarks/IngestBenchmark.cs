using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Tsunami.Engine.Hosting;
using Tsunami.Engine.Ingest;
using Tsunami.TestKit;

namespace Tsunami.Benchmarks;

/// <summary>End-to-end ingest throughput (no model enrichment) at 1 and 2 workers, with the time per stage.</summary>
internal static class IngestBenchmark
{
    private static readonly Option<int> Photos = new("--photos") { Description = "Photos per run", DefaultValueFactory = _ => 200 };
    private static readonly Option<int> Runs = new("--runs") { Description = "Runs per setting; the median is reported", DefaultValueFactory = _ => 3 };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object" };

    public static Command Create()
    {
        var command = new Command("ingest", "Ingest throughput (photos/s, MB/s) at 1 and 2 workers and the share of time per stage") { Photos, Runs, Json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var photos = BenchPhotos.Ensure(parse.GetValue(Photos));
            var megapixels = photos.Average(MegapixelsOf);
            var bytes = photos.Sum(p => new FileInfo(p).Length);
            var results = new List<object>();
            if (!parse.GetValue(Json))
            {
                Console.WriteLine($"{photos.Count} JPEGs, {megapixels:0.0} MP and {bytes / 1e6 / photos.Count:0.00} MB each on average; {Environment.ProcessorCount} cores");
                Console.WriteLine($"{"workers",7} {"photos/s",9} {"MB/s",6} {"read",6} {"hash",6} {"decode",7} {"encode",7} {"exif",6} {"store",6}");
            }
            foreach (var workers in new[] { 1, 2 })
            {
                var runs = new List<IngestResult>();
                for (var run = 0; run < parse.GetValue(Runs); run++)
                {
                    runs.Add(await IngestOnceAsync(photos, workers, cancellationToken));
                }
                var median = runs.OrderBy(r => r.Elapsed).ElementAt(runs.Count / 2);
                var seconds = median.Elapsed.TotalSeconds;
                var stages = median.Stages;
                double Share(TimeSpan t) => t / stages.Total;
                var row = new
                {
                    workers,
                    photosPerSecond = Math.Round(median.Ingested / seconds, 1),
                    megabytesPerSecond = Math.Round(median.BytesIngested / 1e6 / seconds, 1),
                    share = new
                    {
                        read = Math.Round(Share(stages.Read), 3),
                        hash = Math.Round(Share(stages.Hash), 3),
                        decode = Math.Round(Share(stages.Decode), 3),
                        encode = Math.Round(Share(stages.Encode), 3),
                        metadata = Math.Round(Share(stages.Metadata), 3),
                        store = Math.Round(Share(stages.Store), 3),
                    },
                };
                results.Add(row);
                if (!parse.GetValue(Json))
                {
                    Console.WriteLine($"{workers,7} {row.photosPerSecond,9:0.0} {row.megabytesPerSecond,6:0.0} {row.share.read,6:P0} {row.share.hash,6:P0} {row.share.decode,7:P0} {row.share.encode,7:P0} {row.share.metadata,6:P0} {row.share.store,6:P0}");
                }
            }
            if (parse.GetValue(Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { photos = photos.Count, megapixels = Math.Round(megapixels, 2), cores = Environment.ProcessorCount, results }));
            }
            return 0;
        });
        return command;
    }

    private static async Task<IngestResult> IngestOnceAsync(IReadOnlyList<string> photos, int workers, CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        var configuration = TsunamiConfiguration.Build(temp.Combine("data"), [new("Ingest:Parallelism", workers.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        await using var services = new ServiceCollection().AddLogging().AddTsunami(configuration).BuildServiceProvider();
        var result = await services.GetRequiredService<IngestService>().IngestAsync(
            new IngestRequest([Path.GetDirectoryName(photos[0])!], "bench", new Dictionary<string, string>()), null, cancellationToken);
        Debug.Assert(result.Failed == 0);
        SqliteConnection.ClearAllPools();
        return result;
    }

    private static double MegapixelsOf(string path)
    {
        using var image = NetVips.Image.NewFromFile(path);
        return image.Width * (double)image.Height / 1e6;
    }
}
