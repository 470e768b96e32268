using NetVips;
using Tsunami.Engine.Ask;
using Tsunami.Engine.Ingest;
using Tsunami.Query.Parsing;

namespace Tsunami.Engine.Tests;

/// <summary>
/// The sample photos and photos made with known EXIF dates, GPS, tags and text, ingested and enriched once by the
/// real models; then a labelled set of questions, each with the photos it must find.
/// </summary>
public sealed class AskStore : IAsyncLifetime
{
    // A Tuesday; "yesterday" is 2025-03-17 and "last week" 2025-03-10 to 2025-03-16.
    public static readonly DateTimeOffset Now = new(2025, 3, 18, 12, 0, 0, TimeSpan.Zero);

    internal IngestHarness Harness { get; } = new();

    public async Task InitializeAsync()
    {
        var made = Harness.Temp.Combine("made");
        Directory.CreateDirectory(made);
        TestPhotos.Write(Path.Combine(made, "voltage.jpg"), ExifWriter.AddExif(TextPhotos.Sign("HIGH VOLTAGE 42"),
            new ExifFields { TakenAt = new DateTime(2025, 3, 17, 10, 0, 0), Latitude = 40.4168, Longitude = -3.7038 }));
        TestPhotos.Write(Path.Combine(made, "danger.jpg"), ExifWriter.AddExif(TextPhotos.Sign("DANGER KEEP OUT", seed: 2),
            new ExifFields { TakenAt = new DateTime(2025, 3, 12, 9, 0, 0), Latitude = 48.8566, Longitude = 2.3522 }));
        using (var giraffe = Image.NewFromFile(RepositoryPaths.Sample("darknet/giraffe.jpg")))
        using (var blurred = giraffe.Gaussblur(12))
        {
            TestPhotos.Write(Path.Combine(made, "blurred-giraffe.jpg"), ExifWriter.AddExif(blurred.JpegsaveBuffer(q: 90),
                new ExifFields { TakenAt = new DateTime(2025, 3, 17, 16, 0, 0) }));
        }
        using (var dog = Image.NewFromFile(RepositoryPaths.Sample("darknet/dog.jpg")))
        using (var dark = (dog * 0.3).Cast(Enums.BandFormat.Uchar))
        {
            TestPhotos.Write(Path.Combine(made, "dark-dog.jpg"), ExifWriter.AddExif(dark.JpegsaveBuffer(q: 90),
                new ExifFields { TakenAt = new DateTime(2024, 1, 20, 8, 0, 0) }));
        }
        await Ingest("samples", new() { ["site"] = "12" }, Path.Combine(RepositoryPaths.Samples, "darknet"));
        await Ingest("samples", new() { ["site"] = "7" }, Path.Combine(RepositoryPaths.Samples, "skimage"), Path.Combine(RepositoryPaths.Samples, "opencv"));
        await Ingest("field", new() { ["site"] = "12" }, made);
    }

    private async Task Ingest(string collection, Dictionary<string, string> tags, params string[] sources)
    {
        var result = await Harness.Get<IngestService>().IngestAsync(new IngestRequest(sources, collection, tags, Enrich: true), null, CancellationToken.None);
        Assert.Equal(0, result.Failed);
    }

    public Task DisposeAsync()
    {
        Harness.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class AskTests(AskStore store) : IClassFixture<AskStore>
{
    private async Task<Answer> Ask(string question, int limit = 50) =>
        await store.Harness.Get<AskService>().AskAsync(question, new AskOptions(limit, AskStore.Now), CancellationToken.None);

    private async Task<string[]> Found(string question) =>
        [.. (await Ask(question)).Results.Select(r => Path.GetFileNameWithoutExtension(r.Path)).Order(StringComparer.Ordinal)];

    /// <summary>The labelled question set: each question with exactly the photos it must return.</summary>
    [Theory]
    // things and concepts
    [InlineData("photos with a giraffe", "giraffe")]
    [InlineData("pictures of horses", "horses|person")]
    [InlineData("photos with a cat", "chelsea")]
    [InlineData("a person riding a horse", "person")]
    [InlineData("photos with a motorbike", "motorcycle_left")]
    // counts
    [InlineData("photos with more than 3 people", "kite|messi5")]
    [InlineData("photos with exactly one dog", "dark-dog|dog|person")]
    [InlineData("photos with at least 3 horses", "horses")]
    // text
    [InlineData("photos with the text HIGH VOLTAGE", "voltage")]
    [InlineData("labels that say 42", "voltage")]
    [InlineData("pictures with the text \"keep out\"", "danger")]
    [InlineData("photos with the text HIGH VOLTACE", "voltage")]
    // negation
    [InlineData("photos of horses without a dog", "horses")]
    [InlineData("photos from site 12 without people", "blurred-giraffe|danger|dark-dog|dog|eagle|giraffe|horses|voltage")]
    [InlineData("field photos that lack a person", "blurred-giraffe|danger|dark-dog|voltage")]
    [InlineData("photos in field that are not blurry taken in March 2025", "danger|voltage")]
    // time
    [InlineData("photos taken yesterday", "blurred-giraffe|voltage")]
    [InlineData("photos taken last week", "danger")]
    [InlineData("photos taken in March 2025", "blurred-giraffe|danger|voltage")]
    [InlineData("photos between 2024-01-01 and 2024-02-15", "dark-dog")]
    // place, tags, collections
    [InlineData("photos near 40.41,-3.70 within 5 km", "voltage")]
    [InlineData("dogs from site 7", "")]
    [InlineData("cats from site 7", "chelsea")]
    [InlineData("photos in the field collection with the text DANGER", "danger")]
    [InlineData("dogs in field", "dark-dog")]
    // quality
    [InlineData("blurry photos", "blurred-giraffe")]
    [InlineData("dark photos", "dark-dog")]
    [InlineData("blurry photos taken yesterday", "blurred-giraffe")]
    // combinations
    [InlineData("photos from site 12 with the text HIGH VOLTAGE taken yesterday near 40.4,-3.7 within 10 km", "voltage")]
    [InlineData("photos with a dog taken in January 2024", "dark-dog")]
    public async Task Each_question_finds_exactly_its_photos(string question, string expected)
    {
        var found = await Found(question);
        Assert.True(expected.Split('|', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).SequenceEqual(found), $"found {string.Join('|', found)}");
    }

    [Fact]
    public async Task How_many_counts_every_match_not_only_the_listed()
    {
        var answer = await Ask("how many photos show horses", limit: 1);
        Assert.True(answer.Plan.AsksCount);
        Assert.Equal(2, answer.Matches);
        Assert.Single(answer.Results);
    }

    [Fact]
    public async Task Broader_words_find_what_no_label_names()
    {
        Assert.Equal(["dark-dog", "dog", "motorcycle_left"], (await Found("pictures of vehicles")).Intersect(["dark-dog", "dog", "motorcycle_left"]).Order());
        Assert.Contains("chelsea", await Found("pets"));
        Assert.Contains("horses", await Found("livestock"));
        var longNeck = await Ask("animals with a long neck");
        Assert.Contains(longNeck.Results, r => r.Path.EndsWith("giraffe.jpg", StringComparison.Ordinal));
        Assert.All(longNeck.Results, r => Assert.Contains(r.Evidence, e => e.Kind == "semantic"));
    }

    [Fact]
    public async Task Every_result_carries_the_evidence_that_made_it_match()
    {
        var horses = (await Ask("photos with at least 3 horses")).Results.Single();
        Assert.Contains(horses.Evidence, e => e.Kind == "count" && e.What.StartsWith("4 ", StringComparison.Ordinal) || e.What.StartsWith("5 ", StringComparison.Ordinal) || e.What.StartsWith("3 ", StringComparison.Ordinal));
        Assert.Contains(horses.Evidence, e => e.Kind == "object" && e.What == "horse" && e.Box is { Width: > 0 });

        var voltage = (await Ask("photos with the text HIGH VOLTAGE near 40.41,-3.70 taken yesterday")).Results.Single();
        Assert.Contains(voltage.Evidence, e => e.Kind == "text" && e.What.Contains("VOLTAGE", StringComparison.Ordinal) && e.Box is not null);
        Assert.Contains(voltage.Evidence, e => e.Kind == "place" && e.What.Contains("km", StringComparison.Ordinal));
        Assert.Contains(voltage.Evidence, e => e.Kind == "time" && e.What.Contains("2025-03-17", StringComparison.Ordinal));

        var blurry = (await Ask("blurry photos")).Results.Single();
        Assert.Contains(blurry.Evidence, e => e.Kind == "quality" && e.What.StartsWith("blurry", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Similar_photos_rank_the_near_copy_first()
    {
        var dog = (await Ask("photos of a dog taken before 2024-01-01")).Results.Single(r => r.Path.EndsWith("dog.jpg", StringComparison.Ordinal));
        var similar = await Ask($"photos like {dog.Id[..10]}");
        Assert.Equal("dark-dog.jpg", Path.GetFileName(similar.Results[0].Path));
        Assert.DoesNotContain(similar.Results, r => r.Id == dog.Id);
        Assert.All(similar.Results, r => Assert.Contains(r.Evidence, e => e.Kind == "similar"));
    }

    [Fact]
    public async Task A_photo_file_that_is_not_stored_finds_its_look_alikes()
    {
        var ask = store.Harness.Get<AskService>();
        var options = new AskOptions(3, AskStore.Now);
        var copy = store.Harness.Temp.Combine("giraffe-copy.png");
        using (var giraffe = Image.NewFromFile(RepositoryPaths.Sample("darknet/giraffe.jpg")))
        {
            giraffe.Resize(0.5).WriteToFile(copy);
        }
        var similar = await ask.SimilarAsync(copy, options, CancellationToken.None);
        Assert.Equal("giraffe.jpg", Path.GetFileName(similar.Results[0].Path));
        Assert.True(similar.Results[0].Evidence.Single(e => e.Kind == "similar").Score > 0.9);

        var byPath = await ask.SimilarAsync(RepositoryPaths.Sample("darknet/dog.jpg"), options, CancellationToken.None);
        Assert.Equal("dog.jpg", Path.GetFileName(byPath.Results[0].Path));

        var text = store.Harness.Temp.Combine("notes.txt");
        await File.WriteAllTextAsync(text, "not a photo");
        await Assert.ThrowsAsync<Tsunami.Media.MediaException>(() => ask.SimilarAsync(text, options, CancellationToken.None));
        var missing = await Assert.ThrowsAsync<QuestionException>(() => ask.SimilarAsync("/no/such/photo.jpg", options, CancellationToken.None));
        Assert.Contains("/no/such/photo.jpg", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nonsense_and_unknowns_are_said_plainly()
    {
        var unknown = await Ask("photos with a flibbertigibbet");
        Assert.Empty(unknown.Results);
        Assert.Contains(unknown.Notes, n => n.Contains("flibbertigibbet", StringComparison.Ordinal));

        var empty = await Ask("?!");
        Assert.Equal(0, empty.Matches);
        Assert.NotEmpty(empty.Notes);

        var partly = await Ask("photos 4711 with a giraffe");
        Assert.Contains(partly.Notes, n => n.Contains("4711", StringComparison.Ordinal));
        Assert.Single(partly.Results);

        var none = await Ask("photos with the text ZEBRACROSSING");
        Assert.Equal("No photo matches.", none.Summary);

        await Assert.ThrowsAsync<QuestionException>(() => Ask("photos like 00000000"));
        await Assert.ThrowsAsync<QuestionException>(() => Ask("photos on 2025-02-30"));
    }
}
