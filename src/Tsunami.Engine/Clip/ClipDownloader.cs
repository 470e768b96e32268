using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Tsunami.Inference.Clip;

namespace Tsunami.Engine.Clip;

/// <summary>One file of a model set as a mirror lists it in &lt;name&gt;/manifest.json.</summary>
public sealed record MirroredFile(string Path, string Sha256, long? Bytes);

/// <summary>A model set on a mirror: its name and files.</summary>
public sealed record MirroredSet(string Name, IReadOnlyList<MirroredFile> Files);

/// <summary>How far a download is: the file, its bytes so far and its size when known.</summary>
public sealed record DownloadProgress(string File, long Done, long? Total);

/// <summary>
/// Installs a CLIP model set from a mirror: &lt;mirror&gt;/&lt;name&gt;/manifest.json lists the files with their SHA-256;
/// each is downloaded into a hidden staging folder as a .part file, resumed with an HTTP range when a former run
/// stopped, checked, and the whole set checked as a model set before it is moved into place.
/// </summary>
public sealed class ClipDownloader(HttpClient http, ClipInstallation installation, IOptions<ClipOptions> options)
{
    /// <param name="nameOrUrl">A set's name on the configured mirror, or the address of a manifest.json (or of the folder holding it).</param>
    /// <exception cref="InvalidDataException">The manifest, a file or the set is wrong; the message names what.</exception>
    /// <exception cref="HttpRequestException">The mirror could not be reached or refused a file.</exception>
    public async Task<ClipModelFolder> PullAsync(string nameOrUrl, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var manifestUrl = ManifestUrl(nameOrUrl);
        var set = await ReadManifestAsync(manifestUrl, cancellationToken);
        var target = Path.Combine(installation.Root, set.Name);
        if (Directory.Exists(target))
        {
            throw new InvalidDataException($"a CLIP model set named '{set.Name}' is installed already ({target})");
        }
        var staging = Path.Combine(installation.Root, $".{set.Name}.partial");
        foreach (var file in set.Files)
        {
            await DownloadAsync(new Uri(manifestUrl, file.Path), file, Path.Combine(staging, file.Path), progress, cancellationToken);
        }
        var folder = ClipModelFolder.Read(staging);
        folder.LoadTokenizer();
        Directory.Move(staging, target);
        return ClipModelFolder.Read(target);
    }

    private Uri ManifestUrl(string nameOrUrl)
    {
        if (Uri.TryCreate(nameOrUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return nameOrUrl.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? url : new Uri(nameOrUrl.TrimEnd('/') + "/manifest.json");
        }
        var mirror = options.Value.Mirror;
        if (string.IsNullOrWhiteSpace(mirror))
        {
            throw new InvalidDataException($"'{nameOrUrl}' is a name, but no mirror is configured (Clip:Mirror); give the address of a manifest.json instead");
        }
        if (nameOrUrl.Length == 0 || nameOrUrl.StartsWith('.') || nameOrUrl.IndexOfAny(['/', '\\']) >= 0)
        {
            throw new InvalidDataException($"'{nameOrUrl}' is not a model set name");
        }
        return new Uri($"{mirror.TrimEnd('/')}/{Uri.EscapeDataString(nameOrUrl)}/manifest.json");
    }

    private async Task<MirroredSet> ReadManifestAsync(Uri url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{url}: {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
        MirroredSet? set;
        try
        {
            set = JsonSerializer.Deserialize<MirroredSet>(await response.Content.ReadAsStringAsync(cancellationToken), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{url}: not a model set manifest ({e.Message})", e);
        }
        if (set is null || string.IsNullOrWhiteSpace(set.Name) || set.Name.StartsWith('.') || set.Name.IndexOfAny(['/', '\\']) >= 0 || set.Files is not { Count: > 0 })
        {
            throw new InvalidDataException($"{url}: a manifest needs a name and a list of files");
        }
        foreach (var file in set.Files)
        {
            var relative = file.Path.Replace('\\', '/');
            if (relative.Length == 0 || relative.StartsWith('/') || relative.Split('/').Any(part => part is "" or "." or "..") || file.Sha256 is not { Length: 64 })
            {
                throw new InvalidDataException($"{url}: file '{file.Path}' needs a relative path inside the set and a SHA-256 of 64 hex digits");
            }
        }
        return set;
    }

    private async Task DownloadAsync(Uri url, MirroredFile file, string path, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        if (File.Exists(path) && await Sha256Async(path, cancellationToken) == file.Sha256.ToLowerInvariant())
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = path + ".part";
        var have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            File.Delete(partial);
            await DownloadAsync(url, file, path, progress, cancellationToken);
            return;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{url}: {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
        // A server that ignores the range sends the whole file again.
        var resumed = response.StatusCode == HttpStatusCode.PartialContent;
        var done = resumed ? have : 0;
        var total = response.Content.Headers.ContentLength is { } length ? done + length : file.Bytes;
        await using (var target = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        await using (var source = await response.Content.ReadAsStreamAsync(cancellationToken))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                done += read;
                progress?.Report(new DownloadProgress(file.Path, done, total));
            }
        }
        var actual = await Sha256Async(partial, cancellationToken);
        if (actual != file.Sha256.ToLowerInvariant())
        {
            File.Delete(partial);
            throw new InvalidDataException($"{url}: SHA-256 {actual} differs from the manifest's {file.Sha256}; the download was deleted");
        }
        File.Move(partial, path, overwrite: true);
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }
}
