using System.Text;
using System.Text.Json;

namespace Tsunami.Cli.Tests;

public sealed class CommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Data => _temp.Combine("data");

    [Theory]
    [InlineData("ingest")]
    [InlineData("ls")]
    [InlineData("show")]
    [InlineData("stats")]
    [InlineData("models")]
    [InlineData("enrich")]
    [InlineData("serve")]
    [InlineData("delete")]
    [InlineData("tokenize")]
    public async Task Every_command_has_help(string command)
    {
        var run = await Cli.RunAsync(Data, command, "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--data", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--json", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_ls_show_and_stats_agree_in_json()
    {
        var folder = Path.Combine(RepositoryPaths.Samples, "darknet");
        var ingest = await Cli.RunAsync(Data, "ingest", folder, "--collection", "inspections", "--tag", "site=12", "--json");

        Assert.Equal(0, ingest.ExitCode);
        Assert.Equal(6, ingest.Json.GetProperty("ingested").GetInt32());
        Assert.Equal(0, ingest.Json.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, ingest.Json.GetProperty("failed").GetInt32());
        Assert.Equal(0, ingest.Json.GetProperty("errors").GetArrayLength());

        var ls = await Cli.RunAsync(Data, "ls", "--collection", "inspections", "--limit", "20", "--json");
        Assert.Equal(0, ls.ExitCode);
        var assets = ls.Json.GetProperty("assets").EnumerateArray().ToList();
        Assert.Equal(6, assets.Count);
        var dog = assets.Single(a => a.GetProperty("path").GetString() == Path.Combine(folder, "dog.jpg"));
        var id = dog.GetProperty("id").GetString()!;

        foreach (var key in new[] { id, id[..10], Path.Combine(folder, "dog.jpg") })
        {
            var show = await Cli.RunAsync(Data, "show", key, "--json");
            Assert.Equal(0, show.ExitCode);
            Assert.Equal(id, show.Json.GetProperty("id").GetString());
            Assert.Equal("12", show.Json.GetProperty("tags").GetProperty("site").GetString());
            Assert.Equal("Canon", show.Json.GetProperty("cameraMake").GetString());
            Assert.Equal("2014-09-19T16:08:30+00:00", show.Json.GetProperty("takenAt").GetString());
            Assert.True(show.Json.GetProperty("metadata").EnumerateObject().Any());
        }

        var stats = await Cli.RunAsync(Data, "stats", "--json");
        Assert.Equal(6, stats.Json.GetProperty("stats").GetProperty("assets").GetInt32());

        var text = await Cli.RunAsync(Data, "show", id);
        Assert.Contains("Canon PowerShot S95", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 dog", text.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"dog 0\.\d\d at x \d+ y \d+, \d+×\d+", text.Stdout);
    }

    [Fact]
    public async Task Ingest_enriches_and_show_json_carries_objects_labels_text_and_quality()
    {
        var ingest = await Cli.RunAsync(Data, "ingest", RepositoryPaths.Sample("darknet/dog.jpg"), RepositoryPaths.Sample("skimage/astronaut.png"), "--json");
        Assert.Equal(0, ingest.ExitCode);
        Assert.Equal(2, ingest.Json.GetProperty("enrichment").GetProperty("enriched").GetInt32());

        var dog = (await Cli.RunAsync(Data, "show", RepositoryPaths.Sample("darknet/dog.jpg"), "--json")).Json;
        var objects = dog.GetProperty("objects").EnumerateArray().ToList();
        Assert.Contains(objects, o => o.GetProperty("label").GetString() == "dog" && o.GetProperty("score").GetSingle() > 0.7);
        Assert.True(objects[0].GetProperty("box").GetProperty("width").GetSingle() > 0);
        Assert.Equal("malamute", dog.GetProperty("labels")[0].GetProperty("label").GetString());
        Assert.Equal("n02110063", dog.GetProperty("labels")[0].GetProperty("synset").GetString());
        Assert.Equal(0, dog.GetProperty("text").GetArrayLength());
        Assert.True(dog.GetProperty("quality").GetProperty("sharpness").GetDouble() > 10);
        Assert.Contains("dog", dog.GetProperty("concepts").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(objects.Count(o => o.GetProperty("label").GetString() == "dog"), dog.GetProperty("objectCounts").GetProperty("dog").GetInt32());

        var sign = TestPhotos.Write(_temp.Combine("sign.jpg"), TextPhotos.Sign("HIGH VOLTAGE 42"));
        await Cli.RunAsync(Data, "ingest", sign);
        var signJson = (await Cli.RunAsync(Data, "show", sign, "--json")).Json;
        Assert.Equal(["HIGH VOLTAGE 42"], signJson.GetProperty("text").EnumerateArray().Select(t => t.GetString()));
        Assert.Matches(@"HIGH VOLTAGE 42 \(\d\.\d\d\)", (await Cli.RunAsync(Data, "show", sign)).Stdout);

        var astronaut = (await Cli.RunAsync(Data, "show", RepositoryPaths.Sample("skimage/astronaut.png"), "--json")).Json;
        Assert.Equal(1, astronaut.GetProperty("faceCount").GetInt32());
        Assert.Matches(@"face 0\.\d\d at x \d+ y \d+, \d+×\d+", (await Cli.RunAsync(Data, "show", RepositoryPaths.Sample("skimage/astronaut.png"))).Stdout);

        var again = await Cli.RunAsync(Data, "enrich", "--json");
        Assert.Equal(0, again.Json.GetProperty("enriched").GetInt32());
        var forced = await Cli.RunAsync(Data, "enrich", "--stage", "quality", "--force", "--json");
        Assert.Equal(3, forced.Json.GetProperty("enriched").GetInt32());
        var ocr = await Cli.RunAsync(Data, "enrich", "--stage", "ocr", "--force", "--json");
        Assert.Equal(0, ocr.ExitCode);
        Assert.Equal(3, ocr.Json.GetProperty("enriched").GetInt32());

        var bogus = await Cli.RunAsync(Data, "enrich", "--stage", "ocrr");
        Assert.NotEqual(0, bogus.ExitCode);
        Assert.Contains("ocrr", bogus.Stderr + bogus.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_answers_with_counts_results_and_evidence_as_json_and_similar_ranks_by_looks()
    {
        var folder = Directory.CreateDirectory(_temp.Combine("photos")).FullName;
        TestPhotos.Write(Path.Combine(folder, "sign.jpg"), ExifWriter.AddExif(TextPhotos.Sign("HIGH VOLTAGE 42"), new ExifFields { TakenAt = new DateTime(2025, 3, 17, 10, 0, 0) }));
        File.Copy(RepositoryPaths.Sample("darknet/horses.jpg"), Path.Combine(folder, "horses.jpg"));
        File.Copy(RepositoryPaths.Sample("darknet/dog.jpg"), Path.Combine(folder, "dog.jpg"));
        Assert.Equal(0, (await Cli.RunAsync(Data, "ingest", folder, "--tag", "site=12")).ExitCode);

        var count = (await Cli.RunAsync(Data, "ask", "how many photos from site 12 show horses", "--json")).Json;
        Assert.Equal(1, count.GetProperty("count").GetInt32());
        var horses = count.GetProperty("results")[0];
        Assert.EndsWith("horses.jpg", horses.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.True(horses.GetProperty("score").GetDouble() > 0);
        Assert.Contains(horses.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("kind").GetString() == "object" && e.GetProperty("box").GetProperty("width").GetSingle() > 0);

        var text = (await Cli.RunAsync(Data, "ask", "photos with the text HIGH VOLTAGE taken yesterday", "--now", "2025-03-18T12:00:00Z", "--json", "--explain")).Json;
        Assert.False(text.TryGetProperty("count", out _));
        Assert.EndsWith("sign.jpg", text.GetProperty("results")[0].GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.Contains(text.GetProperty("plan").EnumerateArray(), line => line.GetString()!.StartsWith("taken:", StringComparison.Ordinal));
        var notYesterday = (await Cli.RunAsync(Data, "ask", "photos with the text HIGH VOLTAGE taken yesterday", "--now", "2025-06-01T00:00:00Z", "--json")).Json;
        Assert.Equal(0, notYesterday.GetProperty("matches").GetInt32());

        var dogId = (await Cli.RunAsync(Data, "ask", "photos with a dog", "--json")).Json.GetProperty("results")[0].GetProperty("id").GetString()!;
        var similar = (await Cli.RunAsync(Data, "similar", dogId[..8], "--json")).Json;
        Assert.Equal(2, similar.GetProperty("results").GetArrayLength());
        var byFile = (await Cli.RunAsync(Data, "similar", RepositoryPaths.Sample("darknet/horses.jpg"), "--limit", "1", "--json")).Json;
        Assert.EndsWith("horses.jpg", byFile.GetProperty("results")[0].GetProperty("path").GetString(), StringComparison.Ordinal);

        var plain = await Cli.RunAsync(Data, "ask", "how many photos show horses");
        Assert.Contains("1 photo matches.", plain.Stdout, StringComparison.Ordinal);

        var badNow = await Cli.RunAsync(Data, "ask", "photos", "--now", "someday");
        Assert.Equal(1, badNow.ExitCode);
        Assert.Contains("someday", badNow.Stderr, StringComparison.Ordinal);
        var badDate = await Cli.RunAsync(Data, "ask", "photos on 2025-02-30");
        Assert.Equal(1, badDate.ExitCode);
        Assert.Contains("2025-02-30", badDate.Stderr, StringComparison.Ordinal);
        var unknown = await Cli.RunAsync(Data, "similar", "ffffffff");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("ffffffff", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failures_are_listed_with_reasons_and_make_the_exit_code_non_zero()
    {
        var folder = _temp.Folder("in");
        File.Copy(RepositoryPaths.Sample("darknet/eagle.jpg"), Path.Combine(folder, "eagle.jpg"));
        File.WriteAllText(Path.Combine(folder, "fake.png"), "not a png");

        var json = await Cli.RunAsync(Data, "ingest", folder, "--json");
        Assert.Equal(1, json.ExitCode);
        Assert.Equal(1, json.Json.GetProperty("ingested").GetInt32());
        Assert.Equal(1, json.Json.GetProperty("failed").GetInt32());
        var error = json.Json.GetProperty("errors")[0];
        Assert.Equal(Path.Combine(folder, "fake.png"), error.GetProperty("path").GetString());
        Assert.Equal("the content is text, not an image", error.GetProperty("reason").GetString());

        var text = await Cli.RunAsync(Data, "ingest", folder);
        Assert.Equal(1, text.ExitCode);
        Assert.Contains($"failed {Path.Combine(folder, "fake.png")}: the content is text, not an image", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 duplicate(s) skipped", text.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--tag", "nokey")]
    [InlineData("--tag", "=value")]
    [InlineData("--collection", " ")]
    public async Task Mistyped_options_are_refused_before_anything_is_written(string option, string value)
    {
        var run = await Cli.RunAsync(Data, "ingest", RepositoryPaths.Sample("darknet/dog.jpg"), option, value);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(option, run.Stderr + run.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Data, "tsunami.db")));
    }

    [Fact]
    public async Task Delete_removes_named_assets_or_a_whole_collection_and_an_unknown_name_deletes_nothing()
    {
        var folder = Path.Combine(RepositoryPaths.Samples, "darknet");
        Assert.Equal(0, (await Cli.RunAsync(Data, "ingest", folder, "--collection", "inspections", "--no-enrich")).ExitCode);
        Assert.Equal(0, (await Cli.RunAsync(Data, "ingest", Path.Combine(folder, "dog.jpg"), "--collection", "spare", "--no-enrich")).ExitCode);
        var dog = Path.Combine(folder, "dog.jpg");
        var horses = Path.Combine(folder, "horses.jpg");

        var unknown = await Cli.RunAsync(Data, "delete", horses, "/no/such/photo.jpg");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("error: no asset with the id or path '/no/such/photo.jpg'; nothing was deleted", unknown.Stderr.Trim());
        Assert.Equal(0, (await Cli.RunAsync(Data, "show", horses)).ExitCode);

        var deleted = await Cli.RunAsync(Data, "delete", horses, "--json");
        Assert.Equal(0, deleted.ExitCode);
        Assert.Equal(1, deleted.Json.GetProperty("deletedAssets").GetInt32());
        Assert.True(deleted.Json.GetProperty("deletedFiles").GetInt32() >= 3);
        Assert.Equal(1, (await Cli.RunAsync(Data, "show", horses)).ExitCode);

        var collection = await Cli.RunAsync(Data, "delete", "--collection", "inspections");
        Assert.Equal(0, collection.ExitCode);
        Assert.Contains("deleted 5 assets and the collection inspections", collection.Stdout, StringComparison.Ordinal);
        var stats = (await Cli.RunAsync(Data, "stats", "--json")).Json.GetProperty("stats");
        Assert.Equal(1, stats.GetProperty("assets").GetInt32());
        // The dog's original is still used by the spare collection's copy.
        var original = (await Cli.RunAsync(Data, "show", dog, "--json")).Json.GetProperty("sha256").GetString()!;
        Assert.True(File.Exists(Path.Combine(Data, "blobs", original[..2], original[2..4], original)));

        Assert.Equal("error: no collection is named 'inspections'", (await Cli.RunAsync(Data, "delete", "--collection", "inspections")).Stderr.Trim());
        Assert.Contains("not both", (await Cli.RunAsync(Data, "delete")).Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokenize_prints_the_clip_token_ids()
    {
        var json = await Cli.RunAsync(Data, "tokenize", "--tokenizer", "clip", "--json", "a photo of a cat");
        Assert.Equal(0, json.ExitCode);
        Assert.Equal([49406, 320, 1125, 539, 320, 2368, 49407], json.Json.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()));
        Assert.Equal("49406 320 1929 49407", (await Cli.RunAsync(Data, "tokenize", "a dog")).Stdout.Trim());
        var bad = await Cli.RunAsync(Data, "tokenize", "--tokenizer", "gpt2", "x");
        Assert.Equal("error: --tokenizer: 'gpt2' is neither 'clip' nor a folder", bad.Stderr.Trim());
    }

    [Fact]
    public async Task Models_add_installs_a_clip_set_that_enrich_then_uses()
    {
        var set = ClipTestModels.Write(_temp.Combine("exported"), ClipTestModels.Layout.HuggingFace);
        Assert.Equal(0, (await Cli.RunAsync(Data, "ingest", RepositoryPaths.Sample("darknet/dog.jpg"), "--no-enrich")).ExitCode);

        var added = await Cli.RunAsync(Data, "models", "add", set, "--name", "tiny", "--json");
        Assert.Equal(0, added.ExitCode);
        Assert.Equal(("tiny", "HuggingFace"), (added.Json.GetProperty("name").GetString(), added.Json.GetProperty("layout").GetString()));
        var enriched = await Cli.RunAsync(Data, "enrich", "--stage", "clip", "--json");
        Assert.Equal(0, enriched.ExitCode);
        Assert.Equal(1, enriched.Json.GetProperty("enriched").GetInt32());
        var show = (await Cli.RunAsync(Data, "show", RepositoryPaths.Sample("darknet/dog.jpg"), "--json")).Json;
        Assert.StartsWith("1/tiny:", show.GetProperty("stages").GetProperty("clip").GetString(), StringComparison.Ordinal);
        var served = await Cli.RunAsync(Data, "models", "list", "--json");
        Assert.Contains("clip-visual", served.Stdout, StringComparison.Ordinal);

        var notASet = await Cli.RunAsync(Data, "models", "add", _temp.Combine("data"));
        Assert.Equal(1, notASet.ExitCode);
        Assert.Contains("no CLIP model found", notASet.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_assets_and_commands_get_one_line_errors_without_stack_traces()
    {
        var show = await Cli.RunAsync(Data, "show", "/no/such/photo.jpg");
        Assert.Equal(1, show.ExitCode);
        Assert.Equal("error: no asset with the id or path '/no/such/photo.jpg'", show.Stderr.Trim());

        var unknown = await Cli.RunAsync(Data, "frobnicate");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.DoesNotContain("   at ", unknown.Stderr + unknown.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_from_the_future_is_refused_with_a_clear_message_and_verbose_adds_the_trace()
    {
        Directory.CreateDirectory(Data);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Data, "tsunami.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99;";
            await command.ExecuteNonQueryAsync();
        }

        var run = await Cli.RunAsync(Data, "ls");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("newer Tsunami", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));

        var verbose = await Cli.RunAsync(Data, "ls", "--verbose");
        Assert.Contains("   at ", verbose.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_its_models_ingest_still_stores_the_photos_and_says_why_they_were_not_enriched()
    {
        var noCache = new Dictionary<string, string> { ["TSUNAMI_Models__CacheDirectory"] = _temp.Folder("empty-cache") };
        var run = await Cli.RunAsync(Data, ["ingest", RepositoryPaths.Sample("darknet/dog.jpg"), "--json"], noCache);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(1, run.Json.GetProperty("ingested").GetInt32());
        Assert.Contains("wordnet", run.Json.GetProperty("enrichmentError").GetString(), StringComparison.Ordinal);
        Assert.Contains("downloads are off", run.Json.GetProperty("enrichmentError").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, (await Cli.RunAsync(Data, "ls", "--json")).Json.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Models_resolve_from_the_shared_folder()
    {
        var run = await Cli.RunAsync(Data, "models", "resolve", "--json");
        Assert.Equal(0, run.ExitCode);
        var models = run.Json.GetProperty("models").EnumerateArray().ToList();
        Assert.Contains(models, m => m.GetProperty("name").GetString() == "yolox-nano" && m.GetProperty("source").GetString() == "shared");
    }

    public void Dispose() => _temp.Dispose();
}
