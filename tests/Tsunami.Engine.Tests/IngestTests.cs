using Tsunami.Core.Storage;

namespace Tsunami.Engine.Tests;

public sealed class IngestTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_sample_photos_are_ingested_with_tags_metadata_and_thumbnails()
    {
        using var harness = new IngestHarness();
        var result = await harness.IngestAsync("inspections", new Dictionary<string, string> { ["site"] = "12" }, RepositoryPaths.Sample("darknet/dog.jpg"), Path.Combine(RepositoryPaths.Samples, "darknet"));

        Assert.Equal((6, 0, 0), (result.Ingested, result.Duplicates, result.Failed));
        Assert.Equal(TimeSpan.Zero, result.Stages.Views);
        var dog = await harness.Assets.FindAssetAsync(RepositoryPaths.Sample("darknet/dog.jpg"), None);
        Assert.NotNull(dog);
        Assert.Equal("inspections", dog.Collection);
        Assert.Equal("12", dog.Tags["site"]);
        Assert.Equal((768, 576), (dog.Width, dog.Height));
        Assert.Equal("Canon PowerShot S95", dog.Capture.CameraModel);
        Assert.Equal(2, dog.Derived.Count);
        foreach (var derived in dog.Derived)
        {
            Assert.True(harness.Blobs.Exists(derived.Hash));
        }
        Assert.Equal(new FileInfo(dog.Path).Length, harness.Blobs.SizeOf(dog.Hash));
        await harness.AssertBlobsMatchRowsAsync();
    }

    [Fact]
    public async Task Running_the_same_ingest_again_stores_nothing_twice()
    {
        using var harness = new IngestHarness();
        var folder = Path.Combine(RepositoryPaths.Samples, "skimage");
        var first = await harness.IngestAsync("c", folder);
        var blobsAfterFirst = harness.Blobs.EnumerateAll().Count();

        var second = await harness.IngestAsync("c", folder);

        Assert.Equal(6, first.Ingested);
        Assert.Equal((0, 6, 0), (second.Ingested, second.Duplicates, second.Failed));
        Assert.Equal(6, (await harness.Assets.ListAssetsAsync(new AssetQuery { Limit = 100 }, None)).Count);
        Assert.Equal(blobsAfterFirst, harness.Blobs.EnumerateAll().Count());
        Assert.All(second.DuplicateFiles, d => Assert.Contains(first.AssetIds, id => id == d.DuplicateOf));
    }

    [Fact]
    public async Task Identical_files_under_two_names_are_stored_once()
    {
        using var harness = new IngestHarness();
        var folder = harness.Temp.Folder("photos");
        var bytes = File.ReadAllBytes(RepositoryPaths.Sample("darknet/eagle.jpg"));
        TestPhotos.Write(Path.Combine(folder, "a.jpg"), bytes);
        TestPhotos.Write(Path.Combine(folder, "copy of a.jpg"), bytes);

        var result = await harness.IngestAsync("c", folder);

        Assert.Equal((1, 1), (result.Ingested, result.Duplicates));
        Assert.Equal(result.AssetIds[0], result.DuplicateFiles[0].DuplicateOf);
    }

    [Fact]
    public async Task The_same_photo_in_another_collection_is_a_new_asset_sharing_the_blob()
    {
        using var harness = new IngestHarness();
        var photo = RepositoryPaths.Sample("darknet/giraffe.jpg");
        await harness.IngestAsync("one", photo);
        var second = await harness.IngestAsync("two", photo);

        Assert.Equal(1, second.Ingested);
        Assert.Equal(2, (await harness.Assets.GetStatisticsAsync(None)).Assets);
        Assert.Equal(3, harness.Blobs.EnumerateAll().Count());
    }

    [Fact]
    public async Task A_resized_recompressed_copy_is_linked_as_a_near_duplicate()
    {
        using var harness = new IngestHarness();
        var folder = harness.Temp.Folder("photos");
        using (var horses = NetVips.Image.NewFromFile(RepositoryPaths.Sample("darknet/horses.jpg")))
        using (var smaller = horses.Resize(0.7))
        {
            TestPhotos.Write(Path.Combine(folder, "horses-small.jpg"), smaller.JpegsaveBuffer(q: 50));
        }
        File.Copy(RepositoryPaths.Sample("darknet/horses.jpg"), Path.Combine(folder, "horses.jpg"));
        File.Copy(RepositoryPaths.Sample("darknet/person.jpg"), Path.Combine(folder, "person.jpg"));

        var result = await harness.IngestAsync("c", folder);

        Assert.Equal(3, result.Ingested);
        Assert.Equal(1, result.NearDuplicateLinks);
        var small = await harness.Assets.FindAssetAsync(Path.Combine(folder, "horses-small.jpg"), None);
        var original = await harness.Assets.FindAssetAsync(Path.Combine(folder, "horses.jpg"), None);
        var person = await harness.Assets.FindAssetAsync(Path.Combine(folder, "person.jpg"), None);
        Assert.Equal(original!.Id, Assert.Single(small!.NearDuplicates).Other);
        Assert.Equal(small.Id, Assert.Single(original.NearDuplicates).Other);
        Assert.Empty(person!.NearDuplicates);
    }

    [Fact]
    public async Task Exif_date_gps_and_orientation_written_by_the_test_are_stored()
    {
        using var harness = new IngestHarness();
        var path = TestPhotos.Write(harness.Temp.Combine("site", "rotated.jpg"), ExifWriter.AddExif(TestPhotos.Jpeg(600, 300, seed: 11), new ExifFields
        {
            Orientation = 6,
            TakenAt = new DateTime(2025, 3, 14, 9, 26, 53),
            Latitude = 40.41,
            Longitude = -3.70,
        }));

        await harness.IngestAsync("c", path);

        var asset = await harness.Assets.FindAssetAsync(path, None);
        Assert.Equal((300, 600), (asset!.Width, asset.Height));
        Assert.Equal(6, asset.Capture.Orientation);
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.Zero), asset.Capture.TakenAt);
        Assert.Equal(40.41, asset.Capture.Location!.Value.Latitude, 4);
    }

    [Fact]
    public async Task Parallel_ingest_of_many_photos_stores_each_exactly_once()
    {
        using var harness = new IngestHarness(("Ingest:Parallelism", "4"), ("Ingest:BatchSize", "5"));
        var folder = harness.Temp.Folder("many");
        for (var i = 0; i < 40; i++)
        {
            TestPhotos.Write(Path.Combine(folder, $"p{i:00}.jpg"), TestPhotos.Jpeg(320, 240, seed: i));
        }
        TestPhotos.Write(Path.Combine(folder, "p00-again.jpg"), File.ReadAllBytes(Path.Combine(folder, "p00.jpg")));

        var result = await harness.IngestAsync("c", folder);

        Assert.Equal((40, 1, 0), (result.Ingested, result.Duplicates, result.Failed));
        Assert.Equal(40, (await harness.Assets.GetStatisticsAsync(None)).Assets);
        Assert.Equal(40, result.AssetIds.Distinct().Count());
        await harness.AssertBlobsMatchRowsAsync();
    }
}
