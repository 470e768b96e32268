using Microsoft.Data.Sqlite;
using Tsunami.Core.Assets;
using Tsunami.Core.Storage;

namespace Tsunami.Storage.Sqlite;

public sealed partial class SqliteAssetStore
{
    private const string AssetColumns = """
        SELECT a.id, c.name, a.path, a.sha256, a.bytes, a.format, a.width, a.height, a.phash, a.taken_at, a.latitude, a.longitude,
               a.camera_make, a.camera_model, a.orientation, a.metadata, a.ingested_at,
               (SELECT json_group_object(t.key, t.value) FROM asset_tags t WHERE t.asset_id = a.id),
               (SELECT json_group_array(json_object('kind', d.kind, 'sha256', d.sha256, 'media_type', d.media_type,
                                                    'width', d.width, 'height', d.height, 'bytes', d.bytes))
                  FROM derived_files d WHERE d.asset_id = a.id),
               (SELECT json_group_array(json_object('other', n.other, 'distance', n.distance))
                  FROM (SELECT other_id AS other, distance FROM near_duplicates WHERE asset_id = a.id
                        UNION ALL SELECT asset_id, distance FROM near_duplicates WHERE other_id = a.id) n)
        FROM assets a JOIN collections c ON c.id = a.collection_id
        """;

    public async Task<IReadOnlyList<Asset>> ListAssetsAsync(AssetQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            {AssetColumns}
            WHERE ($collection IS NULL OR c.name = $collection)
              AND ($from IS NULL OR a.taken_at_unix >= $from)
              AND ($before IS NULL OR a.taken_at_unix < $before)
              AND ($tag_key IS NULL OR EXISTS (SELECT 1 FROM asset_tags t
                   WHERE t.asset_id = a.id AND lower(t.key) = lower($tag_key) AND lower(t.value) = lower($tag_value)))
            ORDER BY a.rowid DESC LIMIT $limit OFFSET $offset;
            """;
        command.Parameters.AddWithValue("$collection", (object?)query.Collection ?? DBNull.Value);
        command.Parameters.AddWithValue("$from", (object?)query.TakenFrom?.ToUnixTimeSeconds() ?? DBNull.Value);
        command.Parameters.AddWithValue("$before", (object?)query.TakenBefore?.ToUnixTimeSeconds() ?? DBNull.Value);
        command.Parameters.AddWithValue("$tag_key", (object?)query.Tag?.Key ?? DBNull.Value);
        command.Parameters.AddWithValue("$tag_value", (object?)query.Tag?.Value ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", query.Limit);
        command.Parameters.AddWithValue("$offset", query.Offset);
        return await ReadAssetsAsync(command, cancellationToken);
    }

    public async Task<Asset?> FindAssetAsync(string idOrPath, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        if (AssetId.TryParse(idOrPath, out var id))
        {
            command.CommandText = $"{AssetColumns} WHERE a.id = $id;";
            command.Parameters.AddWithValue("$id", id.ToString());
        }
        else if (idOrPath.Length is >= 8 and < 32 && idOrPath.All(char.IsAsciiHexDigitLower))
        {
            command.CommandText = $"{AssetColumns} WHERE a.id >= $prefix AND a.id < $prefix || 'g' LIMIT 2;";
            command.Parameters.AddWithValue("$prefix", idOrPath);
            var matches = await ReadAssetsAsync(command, cancellationToken);
            return matches.Count switch
            {
                0 => null,
                1 => matches[0],
                _ => throw new AmbiguousAssetException($"the id prefix '{idOrPath}' matches more than one asset; give more digits"),
            };
        }
        else
        {
            command.CommandText = $"{AssetColumns} WHERE a.path = $path ORDER BY a.rowid DESC LIMIT 1;";
            command.Parameters.AddWithValue("$path", Path.GetFullPath(idOrPath));
        }
        return (await ReadAssetsAsync(command, cancellationToken)).FirstOrDefault();
    }

    public async Task<StoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT c.name, count(a.id), coalesce(sum(a.bytes), 0)
            FROM collections c LEFT JOIN assets a ON a.collection_id = c.id GROUP BY c.id ORDER BY c.name;
            SELECT (SELECT count(*) FROM assets), (SELECT coalesce(sum(bytes), 0) FROM assets),
                   (SELECT coalesce(sum(bytes), 0) FROM derived_files), (SELECT count(*) FROM near_duplicates),
                   (SELECT count(*) FROM ingest_jobs), (SELECT count(*) FROM ingest_errors);
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var collections = new List<CollectionStatistics>();
        while (await reader.ReadAsync(cancellationToken))
        {
            collections.Add(new CollectionStatistics(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new StoreStatistics(collections, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    private static async Task<IReadOnlyList<Asset>> ReadAssetsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var assets = new List<Asset>();
        while (await reader.ReadAsync(cancellationToken))
        {
            assets.Add(ReadAsset(reader));
        }
        return assets;
    }

    private static Asset ReadAsset(SqliteDataReader reader) => new()
    {
        Id = ParseId(reader.GetString(0)),
        Collection = reader.GetString(1),
        Path = reader.GetString(2),
        Hash = ContentHash.Parse(reader.GetString(3)),
        Bytes = reader.GetInt64(4),
        Format = reader.GetString(5),
        Width = reader.GetInt32(6),
        Height = reader.GetInt32(7),
        PerceptualHash = unchecked((ulong)reader.GetInt64(8)),
        Capture = new CaptureMetadata
        {
            TakenAt = reader.IsDBNull(9) ? null : ParseTime(reader.GetString(9)),
            Location = reader.IsDBNull(10) || reader.IsDBNull(11) ? null : new GeoPoint(reader.GetDouble(10), reader.GetDouble(11)),
            CameraMake = reader.IsDBNull(12) ? null : reader.GetString(12),
            CameraModel = reader.IsDBNull(13) ? null : reader.GetString(13),
            Orientation = reader.GetInt32(14),
            Tags = StoreJson.ParseMap(reader.GetString(15)),
        },
        IngestedAt = ParseTime(reader.GetString(16)),
        Tags = StoreJson.ParseMap(reader.IsDBNull(17) ? null : reader.GetString(17)),
        Derived = StoreJson.ParseDerived(reader.IsDBNull(18) ? null : reader.GetString(18)),
        NearDuplicates = StoreJson.ParseNearDuplicates(reader.IsDBNull(19) ? null : reader.GetString(19)),
    };
}
