using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Tsunami.Inference.Repository;

public enum ModelSource
{
    Shared,
    Cache,
    Downloaded,
}

public sealed record ResolvedModel(ModelFile Model, string Path, ModelSource Source)
{
    /// <summary>A short, stable tag of the file's content, for versioning what the model produced.</summary>
    public string Tag => $"{Model.Name}:{Model.Sha256[0][..8]}";
}

/// <summary>
/// Finds each model file: in the shared folder when it is there, else in the local cache, else downloads it
/// from its upstream address. Every file is checked against the manifest's SHA-256 digests before use.
/// </summary>
public sealed class ModelResolver(IOptions<ModelOptions> options, HttpClient http)
{
    private readonly ModelOptions _options = options.Value;

    /// <summary>The tag of a file the manifest does not list (a model replaced in the serving repository): its own digest.</summary>
    public static string TagOf(string name, string path)
    {
        using var file = File.OpenRead(path);
        return $"{name}:{Convert.ToHexStringLower(SHA256.HashData(file))[..8]}";
    }

    public async Task<ResolvedModel> ResolveAsync(ModelFile model, CancellationToken cancellationToken)
    {
        if (_options.SharedDirectory is { } shared && Path.Combine(shared, model.File) is var sharedPath && File.Exists(sharedPath))
        {
            await VerifyAsync(model, sharedPath, cancellationToken);
            return new ResolvedModel(model, sharedPath, ModelSource.Shared);
        }

        var cachedPath = Path.Combine(_options.CacheDirectory, model.File);
        if (File.Exists(cachedPath))
        {
            await VerifyAsync(model, cachedPath, cancellationToken);
            return new ResolvedModel(model, cachedPath, ModelSource.Cache);
        }

        if (!_options.AllowDownload)
        {
            throw new ModelUnavailableException(
                $"model '{model.Name}' ({model.File}) is neither in the shared folder nor in the cache {_options.CacheDirectory}, and downloads are off");
        }
        await DownloadAsync(model, cachedPath, cancellationToken);
        return new ResolvedModel(model, cachedPath, ModelSource.Downloaded);
    }

    private async Task DownloadAsync(ModelFile model, string destination, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var temporary = $"{destination}.part-{Guid.NewGuid():N}";
        try
        {
            if (PackageFetcher.Handles(model.Url))
            {
                await PackageFetcher.FetchAsync(model.Url, temporary, cancellationToken);
                await VerifyAsync(model, temporary, cancellationToken);
                File.Move(temporary, destination, overwrite: true);
                return;
            }
            string digest;
            try
            {
                using var response = await http.GetAsync(model.Url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw new ModelUnavailableException($"model '{model.Name}': download from {model.Url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                }
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                await using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
                using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hasher.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                file.Flush(flushToDisk: true);
                digest = Convert.ToHexStringLower(hasher.GetHashAndReset());
            }
            catch (HttpRequestException e)
            {
                throw new ModelUnavailableException($"model '{model.Name}': download from {model.Url} failed: {e.Message}", e);
            }
            CheckDigest(model, digest, model.Url);
            File.Move(temporary, destination, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static async Task VerifyAsync(ModelFile model, string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var digest = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        CheckDigest(model, digest, path);
    }

    private static void CheckDigest(ModelFile model, string digest, string where)
    {
        if (!model.Sha256.Contains(digest, StringComparer.OrdinalIgnoreCase))
        {
            throw new ModelUnavailableException(
                $"model '{model.Name}': {where} has SHA-256 {digest}, expected {string.Join(" or ", model.Sha256)}; the file is corrupt or not this model");
        }
    }
}

public sealed class ModelUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
