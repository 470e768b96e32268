using System.Security.Cryptography;
using System.Text.Json;
using Tsunami.Engine.Clip;
using Layout = Tsunami.TestKit.ClipTestModels.Layout;

namespace Tsunami.Engine.Tests;

/// <summary>`models pull` against a mirror on loopback: installs a usable set, resumes, refuses bad checksums and 404s.</summary>
public sealed class ClipDownloadTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly IngestHarness _harness;
    private readonly LoopbackFileServer _mirror = new([]);

    public ClipDownloadTests()
    {
        _harness = new IngestHarness(("Clip:Mirror", _mirror.BaseAddress));
        Publish(ClipTestModels.Write(_harness.Temp.Combine("mirror", "tiny-clip"), Layout.Immich), "tiny-clip");
    }

    [Fact]
    public async Task A_set_pulled_by_name_is_checked_installed_and_usable()
    {
        var progress = new List<DownloadProgress>();
        var installed = await _harness.Get<ClipDownloader>().PullAsync("tiny-clip", new SyncProgress(progress.Add), None);

        Assert.Equal("tiny-clip", installed.Name);
        Assert.Equal(["tiny-clip"], _harness.Get<ClipInstallation>().Installed());
        Assert.Contains(progress, p => p.File == "visual/model.onnx" && p.Done == p.Total);
        Assert.NotNull(await _harness.Get<ClipModels>().GetAsync(None));
        var again = await Assert.ThrowsAsync<InvalidDataException>(() => _harness.Get<ClipDownloader>().PullAsync("tiny-clip", null, None));
        Assert.Contains("is installed already", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stopped_download_resumes_with_a_range_request()
    {
        var file = _mirror.Files["/tiny-clip/textual/model.onnx"];
        var partial = _harness.Temp.Combine("data", "clip", ".tiny-clip.partial", "textual", "model.onnx.part");
        Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
        File.WriteAllBytes(partial, file[..(file.Length / 2)]);

        await _harness.Get<ClipDownloader>().PullAsync($"{_mirror.BaseAddress}tiny-clip/manifest.json", null, None);

        Assert.Contains($"/tiny-clip/textual/model.onnx bytes={file.Length / 2}-", _mirror.Requests);
        Assert.Equal(SHA256.HashData(file), SHA256.HashData(File.ReadAllBytes(_harness.Temp.Combine("data", "clip", "tiny-clip", "textual", "model.onnx"))));
    }

    [Fact]
    public async Task A_file_whose_checksum_differs_is_deleted_and_nothing_is_installed()
    {
        _mirror.Files["/tiny-clip/visual/model.onnx"] = [.. _mirror.Files["/tiny-clip/visual/model.onnx"].Take(100)];

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _harness.Get<ClipDownloader>().PullAsync("tiny-clip", null, None));

        Assert.Contains("visual/model.onnx: SHA-256", error.Message, StringComparison.Ordinal);
        Assert.Contains("differs from the manifest's", error.Message, StringComparison.Ordinal);
        Assert.Empty(_harness.Get<ClipInstallation>().Installed());
        Assert.False(File.Exists(_harness.Temp.Combine("data", "clip", ".tiny-clip.partial", "visual", "model.onnx.part")));
    }

    [Fact]
    public async Task An_unknown_set_is_a_404_naming_the_address()
    {
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => _harness.Get<ClipDownloader>().PullAsync("no-such-set", null, None));
        Assert.Equal($"{_mirror.BaseAddress}no-such-set/manifest.json: 404 Not Found", error.Message);
        var bad = await Assert.ThrowsAsync<InvalidDataException>(() => _harness.Get<ClipDownloader>().PullAsync("../etc", null, None));
        Assert.Contains("is not a model set name", bad.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _mirror.Dispose();
        _harness.Dispose();
    }

    /// <summary>Puts a model set on the mirror: its files and a manifest with their SHA-256.</summary>
    private void Publish(string folder, string name)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => (Path: Path.GetRelativePath(folder, f).Replace('\\', '/'), Bytes: File.ReadAllBytes(f))).ToList();
        foreach (var (path, bytes) in files)
        {
            _mirror.Files[$"/{name}/{path}"] = bytes;
        }
        _mirror.Files[$"/{name}/manifest.json"] = JsonSerializer.SerializeToUtf8Bytes(new
        {
            name,
            files = files.Select(f => new { path = f.Path, sha256 = Convert.ToHexStringLower(SHA256.HashData(f.Bytes)), bytes = f.Bytes.Length }),
        });
    }

    private sealed class SyncProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
