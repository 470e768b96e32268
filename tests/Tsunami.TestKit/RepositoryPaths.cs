namespace Tsunami.TestKit;

/// <summary>Where the repository, its sample photos and the shared models are, seen from a test.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Samples => Path.Combine(Root, "samples");

    public static string SharedModels => Path.GetFullPath(Path.Combine(Root, "..", "shared", "models"));

    /// <summary>A sample photo such as "darknet/dog.jpg"; fails with the fix when the samples were never fetched.</summary>
    public static string Sample(string relativePath)
    {
        var path = Path.Combine(Samples, relativePath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Sample photo {path} is missing: run ./tsunami.sh test (or scripts/fetch-samples.sh) to fetch the samples.");
        }
        return path;
    }

    /// <summary>A model file: from the shared folder when it has it, else from the cache that set-up fills.</summary>
    public static string Model(string relativePath)
    {
        var shared = Path.Combine(SharedModels, relativePath);
        if (File.Exists(shared))
        {
            return shared;
        }
        var cached = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "tsunami", "models", relativePath);
        return File.Exists(cached)
            ? cached
            : throw new FileNotFoundException($"Model file {relativePath} is neither in {SharedModels} nor in the cache: run ./tsunami.sh setup.");
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tsunami.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No Tsunami.slnx above {AppContext.BaseDirectory}.");
    }
}
