using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Tsunami.Cli.Tests;

public sealed class KillAndResumeTests : IDisposable
{
    private const int Photos = 150;
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task Killing_ingest_mid_way_then_rerunning_stores_every_file_exactly_once()
    {
        var folder = _temp.Folder("photos");
        for (var i = 0; i < Photos; i++)
        {
            TestPhotos.Write(Path.Combine(folder, $"site12-{i:000}.jpg"), TestPhotos.Jpeg(1024, 768, seed: 1000 + i));
        }
        var data = _temp.Combine("data");
        // Small batches and one worker: many commits, so the kill lands between and inside them.
        var slow = new Dictionary<string, string> { ["TSUNAMI_Ingest__BatchSize"] = "3", ["TSUNAMI_Ingest__Parallelism"] = "1" };

        foreach (var killAfter in new[] { 3, 20 })
        {
            using var process = Process.Start(Cli.StartInfo(data, ["ingest", folder, "--json"], slow))!;
            await WaitForAssetsAsync(data, killAfter, process);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            var stored = await CountAssetsAsync(data);
            Assert.True(stored < Photos, $"the ingest finished before it could be killed (kill after {killAfter})");
        }

        var rerun = await Cli.RunAsync(data, ["ingest", folder, "--json"], slow);

        Assert.Equal(0, rerun.ExitCode);
        Assert.Equal(Photos, rerun.Json.GetProperty("ingested").GetInt32() + rerun.Json.GetProperty("duplicates").GetInt32());
        Assert.True(rerun.Json.GetProperty("duplicates").GetInt32() >= 20);
        await using var connection = await OpenAsync(data);
        Assert.Equal(Photos, await ScalarAsync(connection, "SELECT count(*) FROM assets"));
        Assert.Equal(Photos, await ScalarAsync(connection, "SELECT count(DISTINCT path) FROM assets"));
        Assert.Equal(2, await ScalarAsync(connection, "SELECT count(*) FROM ingest_jobs WHERE status = 'interrupted'"));
        var referenced = await ScalarAsync(connection, "SELECT count(*) FROM (SELECT sha256 FROM assets UNION SELECT sha256 FROM derived_files)");
        var files = Directory.EnumerateFiles(Path.Combine(data, "blobs"), "*", SearchOption.AllDirectories).ToList();
        Assert.Equal(referenced, files.Count);
        Assert.DoesNotContain(files, f => f.Contains(".tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Killing_enrich_mid_way_then_rerunning_enriches_every_photo_once()
    {
        const int photos = 30;
        var folder = _temp.Folder("photos");
        for (var i = 0; i < photos; i++)
        {
            TestPhotos.Write(Path.Combine(folder, $"p{i:00}.jpg"), TestPhotos.Jpeg(640, 480, seed: 500 + i));
        }
        var data = _temp.Combine("data");
        Assert.Equal(0, (await Cli.RunAsync(data, "ingest", folder, "--no-enrich")).ExitCode);
        var small = new Dictionary<string, string> { ["TSUNAMI_Inference__BatchSize"] = "2" };

        using (var process = Process.Start(Cli.StartInfo(data, ["enrich", "--json"], small))!)
        {
            await WaitForAsync(data, "SELECT count(DISTINCT asset_id) FROM enrichment_stages", 4, process);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var before = await CountAsync(data, "SELECT count(DISTINCT asset_id) FROM enrichment_stages");
        Assert.InRange(before, 4, photos - 1);

        var rerun = await Cli.RunAsync(data, ["enrich", "--json"], small);

        Assert.Equal(0, rerun.ExitCode);
        Assert.Equal(photos - before, rerun.Json.GetProperty("enriched").GetInt32());
        Assert.Equal(photos * 5, await CountAsync(data, "SELECT count(*) FROM enrichment_stages WHERE error IS NULL"));
        Assert.Equal(photos, await CountAsync(data, "SELECT count(*) FROM quality"));
        Assert.Equal(photos, await CountAsync(data, "SELECT count(*) FROM vectors WHERE space = 'visual'"));
        Assert.Equal(0, (await Cli.RunAsync(data, "enrich", "--json")).Json.GetProperty("enriched").GetInt32());
    }

    private static async Task WaitForAssetsAsync(string data, int count, Process process) =>
        await WaitForAsync(data, "SELECT count(*) FROM assets", count, process);

    private static async Task WaitForAsync(string data, string sql, int count, Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (await CountAsync(data, sql) < count)
        {
            if (process.HasExited)
            {
                Assert.Fail($"ingest exited early: {await process.StandardError.ReadToEndAsync()}");
            }
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), "ingest made no progress");
            await Task.Delay(20);
        }
    }

    private static Task<long> CountAssetsAsync(string data) => CountAsync(data, "SELECT count(*) FROM assets");

    private static async Task<long> CountAsync(string data, string sql)
    {
        if (!File.Exists(Path.Combine(data, "tsunami.db")))
        {
            return 0;
        }
        try
        {
            await using var connection = await OpenAsync(data);
            return await ScalarAsync(connection, sql);
        }
        catch (SqliteException)
        {
            return 0; // the schema is not there yet
        }
    }

    private static async Task<SqliteConnection> OpenAsync(string data)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(data, "tsunami.db")};Mode=ReadWrite;Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public void Dispose() => _temp.Dispose();
}
