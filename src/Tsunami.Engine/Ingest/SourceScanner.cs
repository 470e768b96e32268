using Tsunami.Core.Ingest;

namespace Tsunami.Engine.Ingest;

/// <summary>A file ingest will try, with the size it had when found.</summary>
internal sealed record Candidate(string Path, long Bytes);

internal sealed record ScanResult(IReadOnlyList<Candidate> Candidates, IReadOnlyList<IngestError> Errors, int Skipped);

/// <summary>
/// Expands files and folders into the files to ingest. Walks folders recursively, follows symbolic links
/// but never into a loop, and turns every path it cannot use into an error that names it.
/// </summary>
internal sealed class SourceScanner(IReadOnlyCollection<string> extensions)
{
    private readonly HashSet<string> _extensions = new(extensions, StringComparer.OrdinalIgnoreCase);

    public ScanResult Scan(IReadOnlyList<string> sources)
    {
        var candidates = new List<Candidate>();
        var errors = new List<IngestError>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var skipped = 0;

        foreach (var source in sources)
        {
            var full = Path.GetFullPath(source);
            var info = new FileInfo(full);
            if (Directory.Exists(full))
            {
                skipped += Walk(full, candidates, errors, seen);
            }
            else if (info.Exists)
            {
                if (seen.Add(full))
                {
                    candidates.Add(new Candidate(full, info.Length));
                }
            }
            else
            {
                errors.Add(new IngestError(full, info.LinkTarget is null ? "no such file or folder" : DescribeBrokenLink(info)));
            }
        }
        return new ScanResult(candidates, errors, skipped);
    }

    private int Walk(string root, List<Candidate> candidates, List<IngestError> errors, HashSet<string> seen)
    {
        var skipped = 0;
        var visited = new HashSet<string>(StringComparer.Ordinal) { RealPathOf(root) };
        var pending = new Stack<(string Path, string RealPath)>();
        pending.Push((root, RealPathOf(root)));

        while (pending.Count > 0)
        {
            var (folder, realFolder) = pending.Pop();
            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = new DirectoryInfo(folder).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(new IngestError(folder, $"cannot list folder: {e.Message}"));
                continue;
            }

            foreach (var entry in entries)
            {
                if (entry.Name.StartsWith('.'))
                {
                    skipped++;
                    continue;
                }
                if (entry.LinkTarget is not null)
                {
                    skipped += FollowLink(entry, visited, pending, candidates, errors, seen);
                }
                else if (entry is DirectoryInfo directory)
                {
                    var real = Path.Combine(realFolder, directory.Name);
                    if (visited.Add(real))
                    {
                        pending.Push((directory.FullName, real));
                    }
                }
                else if (entry is FileInfo file)
                {
                    skipped += AddFile(file.FullName, file, candidates, seen);
                }
            }
        }
        return skipped;
    }

    private int FollowLink(FileSystemInfo link, HashSet<string> visited, Stack<(string, string)> pending,
        List<Candidate> candidates, List<IngestError> errors, HashSet<string> seen)
    {
        FileSystemInfo? target;
        try
        {
            target = link.ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (IOException)
        {
            errors.Add(new IngestError(link.FullName, "symbolic link loop: the link resolves back to itself"));
            return 0;
        }
        if (target is null || !target.Exists)
        {
            if (link is DirectoryInfo || IsPhotoName(link.Name))
            {
                errors.Add(new IngestError(link.FullName, DescribeBrokenLink(link)));
                return 0;
            }
            return 1;
        }
        if (target is DirectoryInfo directory)
        {
            var real = RealPathOf(directory.FullName);
            if (!visited.Add(real))
            {
                errors.Add(new IngestError(link.FullName, $"symbolic link loop: points to {real}, which this walk already visits"));
                return 0;
            }
            pending.Push((link.FullName, real));
            return 0;
        }
        return AddFile(link.FullName, (FileInfo)target, candidates, seen);
    }

    private int AddFile(string path, FileInfo file, List<Candidate> candidates, HashSet<string> seen)
    {
        if (!IsPhotoName(path))
        {
            return 1;
        }
        if (seen.Add(path))
        {
            candidates.Add(new Candidate(path, file.Length));
        }
        return 0;
    }

    private bool IsPhotoName(string path) => _extensions.Contains(Path.GetExtension(path));

    private static string DescribeBrokenLink(FileSystemInfo link) => $"broken symbolic link: its target {link.LinkTarget} does not exist";

    /// <summary>The folder's path with every symbolic link along it resolved, so two routes to one folder compare equal.</summary>
    private static string RealPathOf(string path)
    {
        var full = Path.GetFullPath(path);
        var parent = Path.GetDirectoryName(full);
        var resolvedParent = parent is null ? null : RealPathOf(parent);
        var here = resolvedParent is null ? full : Path.Combine(resolvedParent, Path.GetFileName(full));
        var info = new DirectoryInfo(here);
        if (info.LinkTarget is null)
        {
            return here;
        }
        try
        {
            return info.ResolveLinkTarget(returnFinalTarget: true) is { } target ? RealPathOf(target.FullName) : here;
        }
        catch (IOException)
        {
            return here;
        }
    }
}
