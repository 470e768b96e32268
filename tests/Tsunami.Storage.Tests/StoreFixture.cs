using Microsoft.Extensions.Options;
using Tsunami.Core.Assets;
using Tsunami.Storage.Blobs;
using Tsunami.Storage.Sqlite;

namespace Tsunami.Storage.Tests;

/// <summary>A real store in a temp folder: SQLite file and blob folder.</summary>
internal sealed class StoreFixture : IDisposable
{
    private readonly TempDirectory _temp = new();

    public StoreFixture()
    {
        Directory = new DataDirectory(_temp.Path);
        Assets = new SqliteAssetStore(new SqliteDatabase(Directory), TimeProvider.System);
        Blobs = new FileBlobStore(Directory, Options.Create(new StorageOptions()));
    }

    public DataDirectory Directory { get; }
    public SqliteAssetStore Assets { get; }
    public FileBlobStore Blobs { get; }

    public static Asset NewAsset(string collection, string path, int seed, IReadOnlyDictionary<string, string>? tags = null)
    {
        var content = BitConverter.GetBytes(seed);
        return new Asset
        {
            Id = AssetId.New(),
            Collection = collection,
            Path = path,
            Hash = ContentHash.Of(content),
            Bytes = content.Length,
            Format = "jpeg",
            Width = 640,
            Height = 480,
            PerceptualHash = (ulong)seed * 0x9E3779B97F4A7C15UL,
            IngestedAt = DateTimeOffset.UtcNow,
            Capture = new CaptureMetadata
            {
                TakenAt = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.FromHours(1)),
                Location = new GeoPoint(40.41, -3.70),
                CameraMake = "Ricoh",
                Tags = new Dictionary<string, string> { ["Exif IFD0/Make"] = "Ricoh" },
            },
            Tags = tags ?? new Dictionary<string, string>(),
            Derived = [new DerivedFile(DerivedKind.Thumbnail, ContentHash.Of([(byte)seed, 1]), "image/webp", 256, 192, 1000)],
        };
    }

    public void Dispose() => _temp.Dispose();
}
