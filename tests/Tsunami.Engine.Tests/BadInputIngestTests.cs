using System.Diagnostics;
using System.Text;
using Tsunami.Core.Storage;

namespace Tsunami.Engine.Tests;

public sealed class BadInputIngestTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Every_kind_of_bad_file_gets_its_reason_and_the_good_ones_still_land()
    {
        using var harness = new IngestHarness(("Media:MaxPixels", "50000000"));
        var folder = harness.Temp.Folder("mixed");
        var good = File.ReadAllBytes(RepositoryPaths.Sample("darknet/dog.jpg"));
        TestPhotos.Write(Path.Combine(folder, "good.jpg"), good);
        TestPhotos.Write(Path.Combine(folder, "empty.jpg"), []);
        TestPhotos.Write(Path.Combine(folder, "truncated.jpg"), File.ReadAllBytes(RepositoryPaths.Sample("bad/truncated.jpg")));
        TestPhotos.Write(Path.Combine(folder, "cut.jpg"), ForgedFiles.Truncated(File.ReadAllBytes(RepositoryPaths.Sample("darknet/horses.jpg")), 0.6));
        TestPhotos.Write(Path.Combine(folder, "corrupt.png"), ForgedFiles.CorruptBody(File.ReadAllBytes(RepositoryPaths.Sample("skimage/coffee.png"))));
        TestPhotos.Write(Path.Combine(folder, "notes.jpg"), Encoding.UTF8.GetBytes("this is a text file with a photo's name\n"));
        TestPhotos.Write(Path.Combine(folder, "bomb.png"), ForgedFiles.PngClaiming(20_000, 20_000));
        TestPhotos.Write(Path.Combine(folder, "really-a-png.jpg"), File.ReadAllBytes(RepositoryPaths.Sample("skimage/chelsea.png")));
        TestPhotos.Write(Path.Combine(folder, "readme.txt"), Encoding.UTF8.GetBytes("not a photo, not tried"));

        var result = await harness.IngestAsync("c", folder);

        var reasons = result.Errors.ToDictionary(e => Path.GetFileName(e.Path), e => e.Reason);
        Assert.Equal(2, result.Ingested);
        Assert.Equal(6, result.Failed);
        Assert.Equal(1, result.Skipped);
        Assert.Equal("empty file (0 bytes)", reasons["empty.jpg"]);
        Assert.StartsWith("truncated jpeg file", reasons["truncated.jpg"], StringComparison.Ordinal);
        Assert.StartsWith("truncated jpeg file", reasons["cut.jpg"], StringComparison.Ordinal);
        Assert.StartsWith("corrupt png file", reasons["corrupt.png"], StringComparison.Ordinal);
        Assert.Equal("the content is text, not an image", reasons["notes.jpg"]);
        Assert.Equal("too large: 20000×20000 is 400 MP, above the limit of 50 MP (Media:MaxPixels)", reasons["bomb.png"]);
        var mislabelled = await harness.Assets.FindAssetAsync(Path.Combine(folder, "really-a-png.jpg"), None);
        Assert.Equal("png", mislabelled!.Format);

        var stored = await harness.Assets.ListIngestErrorsAsync(result.JobId, None);
        Assert.Equal(result.Errors.OrderBy(e => e.Path), stored.OrderBy(e => e.Path));
        await harness.AssertBlobsMatchRowsAsync();
    }

    [Fact]
    public async Task A_fixed_file_is_ingested_on_the_next_run()
    {
        using var harness = new IngestHarness();
        var path = harness.Temp.Combine("later.jpg");
        var good = File.ReadAllBytes(RepositoryPaths.Sample("darknet/kite.jpg"));
        TestPhotos.Write(path, ForgedFiles.Truncated(good, 0.5));
        Assert.Equal(1, (await harness.IngestAsync("c", path)).Failed);

        TestPhotos.Write(path, good);

        Assert.Equal(1, (await harness.IngestAsync("c", path)).Ingested);
    }

    [Fact]
    public async Task Links_loops_odd_names_and_missing_paths_are_reported_not_fatal()
    {
        using var harness = new IngestHarness();
        var root = harness.Temp.Folder("tree");
        var sub = harness.Temp.Folder("tree", "sub dir");
        var odd = new[] { "with space.jpg", "ünïcödé 写真.jpg", "quote'\"and;semicolon.jpg", "-leading-dash.jpg", "new\nline.jpg" };
        for (var i = 0; i < odd.Length; i++)
        {
            TestPhotos.Write(Path.Combine(sub, odd[i]), TestPhotos.Jpeg(64, 48, seed: 100 + i));
        }
        File.CreateSymbolicLink(Path.Combine(root, "loop"), root);
        File.CreateSymbolicLink(Path.Combine(root, "self.jpg"), Path.Combine(root, "self.jpg"));
        File.CreateSymbolicLink(Path.Combine(root, "dangling.jpg"), Path.Combine(root, "gone.jpg"));
        var outside = TestPhotos.Write(harness.Temp.Combine("elsewhere", "target.jpg"), TestPhotos.Jpeg(64, 48, seed: 99));
        File.CreateSymbolicLink(Path.Combine(root, "linked.jpg"), outside);
        var missing = harness.Temp.Combine("does-not-exist");

        var result = await harness.IngestAsync("c", root, missing);

        var reasons = result.Errors.ToDictionary(e => e.Path, e => e.Reason);
        Assert.Equal(odd.Length + 1, result.Ingested);
        Assert.NotNull(await harness.Assets.FindAssetAsync(Path.Combine(root, "linked.jpg"), None));
        Assert.StartsWith("symbolic link loop", reasons[Path.Combine(root, "loop")], StringComparison.Ordinal);
        Assert.StartsWith("symbolic link loop", reasons[Path.Combine(root, "self.jpg")], StringComparison.Ordinal);
        Assert.StartsWith("broken symbolic link", reasons[Path.Combine(root, "dangling.jpg")], StringComparison.Ordinal);
        Assert.Equal("no such file or folder", reasons[missing]);
        foreach (var name in odd)
        {
            Assert.NotNull(await harness.Assets.FindAssetAsync(Path.Combine(sub, name), None));
        }
    }

    [Fact]
    public async Task A_fifo_named_like_a_photo_does_not_hang_ingest()
    {
        using var harness = new IngestHarness();
        var fifo = harness.Temp.Combine("pipe.jpg");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var result = await harness.IngestAsync("c", fifo);

        Assert.Equal(1, result.Failed);
        Assert.Equal(fifo, result.Errors[0].Path);
    }

    [Fact]
    public async Task Files_above_the_size_limit_are_refused_unread()
    {
        using var harness = new IngestHarness(("Media:MaxFileBytes", "1000"));
        var result = await harness.IngestAsync("c", RepositoryPaths.Sample("darknet/dog.jpg"));
        Assert.StartsWith("too large: 163,759 bytes", result.Errors.Single().Reason, StringComparison.Ordinal);
        Assert.Equal(0, (await harness.Assets.GetStatisticsAsync(None)).Assets);
    }

    [Fact]
    public async Task A_second_writer_on_the_same_data_folder_is_refused_with_a_clear_message()
    {
        using var harness = new IngestHarness();
        using var held = Storage.WriterLock.Acquire(harness.DataDirectory);
        var busy = await Assert.ThrowsAsync<Storage.StoreBusyException>(() => harness.IngestAsync("c", RepositoryPaths.Sample("darknet/dog.jpg")));
        Assert.Contains(harness.DataDirectory.Root, busy.Message, StringComparison.Ordinal);
    }
}
