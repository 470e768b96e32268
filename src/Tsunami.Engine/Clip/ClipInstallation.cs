using Microsoft.Extensions.Options;
using Tsunami.Inference.Clip;

namespace Tsunami.Engine.Clip;

/// <summary>The installed CLIP model sets (one folder each under <see cref="ClipOptions.Folder"/>) and the one in use.</summary>
public sealed class ClipInstallation(IOptions<ClipOptions> options)
{
    private readonly ClipOptions _options = options.Value;

    public string Root => _options.Folder;

    public IReadOnlyList<string> Installed() =>
        Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>The model set in use, or null when none is installed (or CLIP is turned off).</summary>
    /// <exception cref="InvalidDataException">The configured or installed set is broken; the message says how.</exception>
    public ClipModelFolder? Active()
    {
        if (_options.Model == "none")
        {
            return null;
        }
        if (_options.Model.Length > 0)
        {
            var folder = Path.Combine(Root, _options.Model);
            return Directory.Exists(folder)
                ? ClipModelFolder.Read(folder)
                : throw new InvalidDataException($"Clip:Model is '{_options.Model}' but {folder} does not exist; installed: {(Installed() is { Count: > 0 } names ? string.Join(", ", names) : "none")}");
        }
        return Installed() is [var first, ..] ? ClipModelFolder.Read(Path.Combine(Root, first)) : null;
    }

    /// <summary>Installs a model set from a folder: checked, copied beside the others, then renamed into place.</summary>
    /// <exception cref="InvalidDataException">The folder is no CLIP model set, or one of that name is installed.</exception>
    public ClipModelFolder Add(string source, string? name = null)
    {
        var checkedSource = ClipModelFolder.Read(source);
        checkedSource.LoadTokenizer();
        name ??= checkedSource.Name;
        if (name.Length == 0 || name.StartsWith('.') || name.IndexOfAny([.. Path.GetInvalidFileNameChars(), '/', '\\']) >= 0)
        {
            throw new InvalidDataException($"'{name}' cannot name a model set");
        }
        var target = Path.Combine(Root, name);
        if (Directory.Exists(target))
        {
            throw new InvalidDataException($"a CLIP model set named '{name}' is installed already ({target})");
        }
        var staging = Path.Combine(Root, $".{name}.{Guid.NewGuid():n}");
        try
        {
            Copy(source, staging);
            Directory.Move(staging, target);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        return ClipModelFolder.Read(target);
    }

    private static void Copy(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
