using System.Globalization;
using Microsoft.Data.Sqlite;
using Tsunami.Core.Assets;
using Tsunami.Core.Storage;

namespace Tsunami.Storage.Sqlite;

/// <summary>The embedded <see cref="IAssetStore"/>: one SQLite file in WAL mode, one transaction per batch.</summary>
public sealed partial class SqliteAssetStore(SqliteDatabase database, TimeProvider time) : IAssetStore
{
    public async Task<Collection> GetOrCreateCollectionAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO collections (name, created_at) VALUES ($name, $now) ON CONFLICT (name) DO NOTHING;
            SELECT id, name, created_at FROM collections WHERE name = $name;
            """;
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$now", FormatTime(time.GetUtcNow()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return ReadCollection(reader);
    }

    public async Task<IReadOnlyList<Collection>> ListCollectionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, created_at FROM collections ORDER BY name;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var collections = new List<Collection>();
        while (await reader.ReadAsync(cancellationToken))
        {
            collections.Add(ReadCollection(reader));
        }
        return collections;
    }

    public async Task<IReadOnlyList<Fingerprint>> LoadFingerprintsAsync(long collectionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, sha256, phash FROM assets WHERE collection_id = $collection;";
        command.Parameters.AddWithValue("$collection", collectionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var fingerprints = new List<Fingerprint>();
        while (await reader.ReadAsync(cancellationToken))
        {
            fingerprints.Add(new Fingerprint(ParseId(reader.GetString(0)), ContentHash.Parse(reader.GetString(1)), unchecked((ulong)reader.GetInt64(2))));
        }
        return fingerprints;
    }

    public async Task<IReadOnlySet<ContentHash>> ListReferencedBlobsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sha256 FROM assets UNION SELECT sha256 FROM derived_files;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var referenced = new HashSet<ContentHash>();
        while (await reader.ReadAsync(cancellationToken))
        {
            referenced.Add(ContentHash.Parse(reader.GetString(0)));
        }
        return referenced;
    }

    private static Collection ReadCollection(SqliteDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), ParseTime(reader.GetString(2)));

    internal static string FormatTime(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseTime(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.None);

    private static AssetId ParseId(string value) =>
        AssetId.TryParse(value, out var id) ? id : throw new InvalidDataException($"The store holds a malformed asset id '{value}'.");
}
