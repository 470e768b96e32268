using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Tsunami.Inference.Repository;

namespace Tsunami.Inference.Tests;

public sealed class ModelResolverTests : IDisposable
{
    private static readonly byte[] Weights = [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7))];
    private readonly TempDirectory _temp = new();
    private readonly HttpClient _http = new();

    private ModelResolver Resolver(string? shared = null, bool download = true) => new(
        Options.Create(new ModelOptions { SharedDirectory = shared, CacheDirectory = _temp.Combine("cache"), AllowDownload = download }), _http);

    private static ModelFile Model(string url, params string[] sha256) =>
        new("tiny", "tiny.onnx", sha256.Length > 0 ? sha256 : [Convert.ToHexStringLower(SHA256.HashData(Weights))], url, "MIT");

    [Fact]
    public async Task The_real_shared_models_resolve_from_the_shared_folder()
    {
        var manifest = ModelManifest.Load(Path.Combine(RepositoryPaths.Root, "config", "models.json"));
        var resolver = Resolver(RepositoryPaths.SharedModels, download: false);

        var yolox = await resolver.ResolveAsync(manifest.Find("yolox-nano"), CancellationToken.None);

        Assert.Equal(ModelSource.Shared, yolox.Source);
        Assert.Equal(Path.Combine(RepositoryPaths.SharedModels, "yolox_nano.onnx"), yolox.Path);
        Assert.Contains(manifest.Models, m => m.File == "clip/vocab.json");
    }

    [Fact]
    public async Task A_missing_model_is_downloaded_verified_and_then_served_from_the_cache()
    {
        using var server = new LoopbackFileServer(new() { ["/m/tiny.onnx"] = Weights });
        var model = Model(server.BaseAddress + "m/tiny.onnx");

        var first = await Resolver().ResolveAsync(model, CancellationToken.None);
        var second = await Resolver().ResolveAsync(model, CancellationToken.None);

        Assert.Equal(ModelSource.Downloaded, first.Source);
        Assert.Equal(ModelSource.Cache, second.Source);
        Assert.Equal(Weights, File.ReadAllBytes(second.Path));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_download_with_the_wrong_checksum_is_refused_and_not_kept()
    {
        using var server = new LoopbackFileServer(new() { ["/tiny.onnx"] = Weights });
        var model = Model(server.BaseAddress + "tiny.onnx", new string('0', 64));

        var error = await Assert.ThrowsAsync<ModelUnavailableException>(() => Resolver().ResolveAsync(model, CancellationToken.None));

        Assert.Contains("expected 0000", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("cache")) && Directory.EnumerateFiles(_temp.Combine("cache")).Any());
    }

    [Fact]
    public async Task A_404_names_the_model_and_the_address()
    {
        using var server = new LoopbackFileServer([]);
        var model = Model(server.BaseAddress + "missing.onnx");

        var error = await Assert.ThrowsAsync<ModelUnavailableException>(() => Resolver().ResolveAsync(model, CancellationToken.None));

        Assert.Equal($"model 'tiny': download from {model.Url} failed: HTTP 404 Not Found", error.Message);
    }

    [Fact]
    public async Task A_corrupt_cached_file_is_reported_not_used()
    {
        Directory.CreateDirectory(_temp.Combine("cache"));
        File.WriteAllBytes(_temp.Combine("cache", "tiny.onnx"), [1, 2, 3]);

        var error = await Assert.ThrowsAsync<ModelUnavailableException>(() => Resolver().ResolveAsync(Model("http://127.0.0.1:9/x"), CancellationToken.None));

        Assert.Contains("corrupt or not this model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_downloads_off_a_missing_model_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<ModelUnavailableException>(() => Resolver(download: false).ResolveAsync(Model("http://127.0.0.1:9/x"), CancellationToken.None));
        Assert.Contains("downloads are off", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{ \"models\": [ { \"name\": \"x\", \"file\": \"../escape.onnx\", \"sha256\": [\"ab\"], \"url\": \"http://x\" } ] }")]
    [InlineData("{ \"models\": [ { \"name\": \"x\", \"file\": \"x.onnx\", \"sha256\": [], \"url\": \"http://x\" } ] }")]
    [InlineData("{ }")]
    public void A_bad_manifest_is_refused_with_its_path(string json)
    {
        var path = _temp.Combine("models.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<InvalidDataException>(() => ModelManifest.Load(path));
        Assert.StartsWith($"model manifest {path}", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _http.Dispose();
        _temp.Dispose();
    }
}
