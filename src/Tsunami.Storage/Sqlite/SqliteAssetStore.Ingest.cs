using Microsoft.Data.Sqlite;
using Tsunami.Core.Assets;
using Tsunami.Core.Ingest;

namespace Tsunami.Storage.Sqlite;

public sealed partial class SqliteAssetStore
{
    public async Task<long> StartIngestJobAsync(string collection, IReadOnlyList<string> sources, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO ingest_jobs (collection, sources, status, started_at) VALUES ($collection, $sources, 'running', $now)
            RETURNING id;
            """;
        command.Parameters.AddWithValue("$collection", collection);
        command.Parameters.AddWithValue("$sources", string.Join('\n', sources));
        command.Parameters.AddWithValue("$now", FormatTime(time.GetUtcNow()));
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task CommitIngestBatchAsync(long jobId, IngestBatch batch, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        foreach (var asset in batch.Assets)
        {
            await InsertAssetAsync(connection, transaction, asset, cancellationToken);
        }
        foreach (var error in batch.Errors)
        {
            await SqliteCommands.ExecuteAsync(connection, transaction, "INSERT INTO ingest_errors (job_id, path, reason) VALUES ($job, $path, $reason);",
                cancellationToken, ("$job", jobId), ("$path", error.Path), ("$reason", error.Reason));
        }
        await SqliteCommands.ExecuteAsync(connection, transaction, """
            UPDATE ingest_jobs SET ingested = ingested + $ingested, duplicates = duplicates + $duplicates, failed = failed + $failed
            WHERE id = $job;
            """, cancellationToken,
            ("$job", jobId), ("$ingested", batch.Assets.Count), ("$duplicates", batch.Duplicates), ("$failed", batch.Errors.Count));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task FinishIngestJobAsync(long jobId, IngestJobStatus status, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await SqliteCommands.ExecuteAsync(connection, null, "UPDATE ingest_jobs SET status = $status, finished_at = $now WHERE id = $job;",
            cancellationToken, ("$job", jobId), ("$status", StatusName(status)), ("$now", FormatTime(time.GetUtcNow())));
    }

    public async Task<int> MarkInterruptedJobsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await SqliteCommands.ExecuteAsync(connection, null, "UPDATE ingest_jobs SET status = 'interrupted' WHERE status = 'running';", cancellationToken);
    }

    public async Task<IngestJob?> GetIngestJobAsync(long jobId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, collection, status, started_at, finished_at, ingested, duplicates, failed FROM ingest_jobs WHERE id = $job;
            """;
        command.Parameters.AddWithValue("$job", jobId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new IngestJob(
            reader.GetInt64(0),
            reader.GetString(1),
            Enum.Parse<IngestJobStatus>(reader.GetString(2), ignoreCase: true),
            ParseTime(reader.GetString(3)),
            reader.IsDBNull(4) ? null : ParseTime(reader.GetString(4)),
            reader.GetInt32(5),
            reader.GetInt32(6),
            reader.GetInt32(7));
    }

    public async Task<IReadOnlyList<IngestError>> ListIngestErrorsAsync(long jobId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT path, reason FROM ingest_errors WHERE job_id = $job ORDER BY id;";
        command.Parameters.AddWithValue("$job", jobId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var errors = new List<IngestError>();
        while (await reader.ReadAsync(cancellationToken))
        {
            errors.Add(new IngestError(reader.GetString(0), reader.GetString(1)));
        }
        return errors;
    }

    private static async Task InsertAssetAsync(SqliteConnection connection, SqliteTransaction transaction, Asset asset, CancellationToken cancellationToken)
    {
        var id = asset.Id.ToString();
        var capture = asset.Capture;
        await SqliteCommands.ExecuteAsync(connection, transaction, """
            INSERT INTO assets (id, collection_id, path, sha256, bytes, format, width, height, phash, taken_at, taken_at_unix,
                                latitude, longitude, camera_make, camera_model, orientation, metadata, ingested_at)
            VALUES ($id, (SELECT id FROM collections WHERE name = $collection), $path, $sha256, $bytes, $format, $width, $height,
                    $phash, $taken_at, $taken_at_unix, $latitude, $longitude, $camera_make, $camera_model, $orientation, $metadata,
                    $ingested_at);
            """, cancellationToken,
            ("$id", id), ("$collection", asset.Collection), ("$path", asset.Path), ("$sha256", asset.Hash.Hex), ("$bytes", asset.Bytes),
            ("$format", asset.Format), ("$width", asset.Width), ("$height", asset.Height), ("$phash", unchecked((long)asset.PerceptualHash)),
            ("$taken_at", capture.TakenAt is { } taken ? FormatTime(taken) : null), ("$taken_at_unix", capture.TakenAt?.ToUnixTimeSeconds()),
            ("$latitude", capture.Location?.Latitude), ("$longitude", capture.Location?.Longitude),
            ("$camera_make", capture.CameraMake), ("$camera_model", capture.CameraModel), ("$orientation", capture.Orientation),
            ("$metadata", StoreJson.Serialize(capture.Tags)), ("$ingested_at", FormatTime(asset.IngestedAt)));
        foreach (var (key, value) in asset.Tags)
        {
            await SqliteCommands.ExecuteAsync(connection, transaction, "INSERT INTO asset_tags (asset_id, key, value) VALUES ($id, $key, $value);",
                cancellationToken, ("$id", id), ("$key", key), ("$value", value));
        }
        foreach (var derived in asset.Derived)
        {
            await SqliteCommands.ExecuteAsync(connection, transaction, """
                INSERT INTO derived_files (asset_id, kind, sha256, media_type, width, height, bytes)
                VALUES ($id, $kind, $sha256, $media_type, $width, $height, $bytes);
                """, cancellationToken,
                ("$id", id), ("$kind", derived.Kind.ToString().ToLowerInvariant()), ("$sha256", derived.Hash.Hex),
                ("$media_type", derived.MediaType), ("$width", derived.Width), ("$height", derived.Height), ("$bytes", derived.Bytes));
        }
        foreach (var link in asset.NearDuplicates)
        {
            await SqliteCommands.ExecuteAsync(connection, transaction, "INSERT INTO near_duplicates (asset_id, other_id, distance) VALUES ($id, $other, $distance);",
                cancellationToken, ("$id", id), ("$other", link.Other.ToString()), ("$distance", link.Distance));
        }
    }

    private static string StatusName(IngestJobStatus status) => status.ToString().ToLowerInvariant();
}
