using Microsoft.Data.Sqlite;
using Tsunami.Core.Assets;

namespace Tsunami.Storage.Sqlite;

/// <summary>
/// Deletion: rows go in one transaction (child rows and search terms follow by cascade and triggers), and the blobs
/// no remaining row names are queued in the same transaction for <see cref="StoreRecovery"/> to remove from disk.
/// </summary>
public sealed partial class SqliteAssetStore
{
    /// <summary>Queues every blob of the assets <paramref name="condition"/> (over alias a) selects.</summary>
    private static string QueueBlobsOf(string condition) => $"""
        INSERT OR IGNORE INTO blob_deletions (sha256)
            SELECT a.sha256 FROM assets a WHERE {condition}
            UNION SELECT d.sha256 FROM derived_files d JOIN assets a ON a.id = d.asset_id WHERE {condition};
        """;

    public async Task<int> DeleteAssetsAsync(IReadOnlyList<AssetId> ids, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var deleted = 0;
        foreach (var id in ids.Distinct())
        {
            await SqliteCommands.ExecuteAsync(connection, transaction, QueueBlobsOf("a.id = $id"),
                cancellationToken, ("$id", id.ToString()));
            deleted += await SqliteCommands.ExecuteAsync(connection, transaction, "DELETE FROM assets WHERE id = $id;", cancellationToken, ("$id", id.ToString()));
        }
        await KeepReferencedBlobsAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    public async Task<int?> DeleteCollectionAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var find = connection.CreateCommand();
        find.Transaction = transaction;
        find.CommandText = "SELECT id FROM collections WHERE name = $name;";
        find.Parameters.AddWithValue("$name", name);
        if (await find.ExecuteScalarAsync(cancellationToken) is not long collection)
        {
            return null;
        }
        await SqliteCommands.ExecuteAsync(connection, transaction, QueueBlobsOf("a.collection_id = $collection"),
            cancellationToken, ("$collection", collection));
        var deleted = await SqliteCommands.ExecuteAsync(connection, transaction, "DELETE FROM assets WHERE collection_id = $collection;", cancellationToken, ("$collection", collection));
        await SqliteCommands.ExecuteAsync(connection, transaction, "DELETE FROM collections WHERE id = $collection;", cancellationToken, ("$collection", collection));
        await KeepReferencedBlobsAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    public async Task<IReadOnlyList<ContentHash>> ListBlobsToDeleteAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // A queued blob that an ingest stored again since is kept.
        await KeepReferencedBlobsAsync(connection, null, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sha256 FROM blob_deletions;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var hashes = new List<ContentHash>();
        while (await reader.ReadAsync(cancellationToken))
        {
            hashes.Add(ContentHash.Parse(reader.GetString(0)));
        }
        return hashes;
    }

    public async Task ForgetBlobsToDeleteAsync(IReadOnlyList<ContentHash> hashes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        foreach (var hash in hashes)
        {
            await SqliteCommands.ExecuteAsync(connection, transaction, "DELETE FROM blob_deletions WHERE sha256 = $sha256;", cancellationToken, ("$sha256", hash.Hex));
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private static Task<int> KeepReferencedBlobsAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken) =>
        SqliteCommands.ExecuteAsync(connection, transaction, """
            DELETE FROM blob_deletions
            WHERE EXISTS (SELECT 1 FROM assets WHERE assets.sha256 = blob_deletions.sha256)
               OR EXISTS (SELECT 1 FROM derived_files WHERE derived_files.sha256 = blob_deletions.sha256);
            """, cancellationToken);
}
