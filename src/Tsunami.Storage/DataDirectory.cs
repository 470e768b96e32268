namespace Tsunami.Storage;

/// <summary>The layout of a data folder.</summary>
public sealed class DataDirectory
{
    public DataDirectory(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string DatabasePath => Path.Combine(Root, "tsunami.db");

    public string BlobsPath => Path.Combine(Root, "blobs");

    public string WriterLockPath => Path.Combine(Root, "writer.lock");

    public void EnsureExists()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(BlobsPath);
    }
}
