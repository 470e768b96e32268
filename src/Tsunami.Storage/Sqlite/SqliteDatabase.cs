using Microsoft.Data.Sqlite;

namespace Tsunami.Storage.Sqlite;

/// <summary>Opens connections to the store's SQLite file (WAL, foreign keys on) and brings its schema up to date.</summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly Lock _migrationGate = new();
    private bool _migrated;

    public SqliteDatabase(DataDirectory directory)
    {
        directory.EnsureExists();
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = directory.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var pragmas = connection.CreateCommand())
        {
            // FULL: a commit survives a power cut too; commits are per batch, so this costs little.
            pragmas.CommandText = "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
        }
        EnsureMigrated(connection);
        return connection;
    }

    private void EnsureMigrated(SqliteConnection connection)
    {
        lock (_migrationGate)
        {
            if (_migrated)
            {
                return;
            }
            using (var wal = connection.CreateCommand())
            {
                wal.CommandText = "PRAGMA journal_mode = WAL;";
                wal.ExecuteNonQuery();
            }
            using var transaction = connection.BeginTransaction();
            var version = Convert.ToInt32(Scalar(connection, transaction, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
            if (version > Schema.Migrations.Length)
            {
                throw new InvalidOperationException(
                    $"The store was written by a newer Tsunami (schema {version}, this one knows {Schema.Migrations.Length}).");
            }
            for (var next = version; next < Schema.Migrations.Length; next++)
            {
                using var migration = connection.CreateCommand();
                migration.Transaction = transaction;
                migration.CommandText = Schema.Migrations[next];
                migration.ExecuteNonQuery();
                Scalar(connection, transaction, $"PRAGMA user_version = {next + 1};");
            }
            transaction.Commit();
            _migrated = true;
        }
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
