namespace Tsunami.Storage;

/// <summary>Where and how the embedded store keeps its data. Section "Storage" of the configuration.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The data folder: tsunami.db (SQLite, WAL) and blobs/ (content-addressed files).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Flush blobs to disk before the rows naming them are committed, so a power cut cannot leave an empty blob.</summary>
    public bool FlushBlobsToDisk { get; set; } = true;
}
