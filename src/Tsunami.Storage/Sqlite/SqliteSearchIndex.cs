using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Tsunami.Core.Assets;
using Tsunami.Core.Search;

namespace Tsunami.Storage.Sqlite;

/// <summary>The search side of the SQLite store: the trigger-kept tables of schema v3 (see <see cref="Schema"/>).</summary>
public sealed class SqliteSearchIndex(SqliteDatabase database) : ISearchIndex
{
    public async Task<ISearchSession> OpenAsync(CancellationToken cancellationToken) =>
        new Session(await database.OpenAsync(cancellationToken));

    private sealed class Session(SqliteConnection connection) : ISearchSession
    {
        public async Task<IReadOnlyDictionary<string, int>> VocabularyAsync(string prefix, CancellationToken cancellationToken) =>
            (await QueryAsync("SELECT term, assets FROM search_vocabulary WHERE term >= $from AND term < $to;",
                r => (Term: r.GetString(0), Assets: r.GetInt32(1)), cancellationToken, ("$from", prefix), ("$to", prefix + "\uffff")))
            .ToDictionary(t => t.Term, t => t.Assets, StringComparer.Ordinal);

        public async Task<Posting> TermAsync(string term, CancellationToken cancellationToken)
        {
            var rows = await QueryAsync("SELECT asset_key, score, count FROM search_terms WHERE term = $term ORDER BY asset_key;",
                r => (Key: r.GetInt64(0), Score: r.GetFloat(1), Count: r.GetInt32(2)), cancellationToken, ("$term", term));
            return rows.Count == 0 ? Posting.Empty : new Posting([.. rows.Select(r => r.Key)], [.. rows.Select(r => r.Score)], [.. rows.Select(r => r.Count)]);
        }

        public async Task<long[]> TakenBetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
        {
            long[] keys = [.. await QueryAsync("SELECT rowid FROM assets WHERE taken_at_unix >= $from AND taken_at_unix < $to;",
                r => r.GetInt64(0), cancellationToken, ("$from", Unix(from)), ("$to", Unix(to)))];
            Array.Sort(keys);
            return keys;
        }

        public async Task<IReadOnlyList<(string Month, int Assets)>> TakenMonthsAsync(int limit, CancellationToken cancellationToken) =>
            await QueryAsync("""
                SELECT strftime('%Y-%m', taken_at_unix, 'unixepoch') AS month, count(*) FROM assets
                WHERE taken_at_unix IS NOT NULL GROUP BY month ORDER BY month DESC LIMIT $limit;
                """, r => (r.GetString(0), r.GetInt32(1)), cancellationToken, ("$limit", limit));

        public async Task<IReadOnlyList<(long Key, GeoPoint Location)>> LocatedWithinAsync(GeoPoint southWest, GeoPoint northEast, CancellationToken cancellationToken) =>
            await QueryAsync("""
                SELECT rowid, latitude, longitude FROM assets
                WHERE latitude IS NOT NULL AND latitude BETWEEN $south AND $north AND longitude BETWEEN $west AND $east;
                """, r => (r.GetInt64(0), new GeoPoint(r.GetDouble(1), r.GetDouble(2))), cancellationToken,
                ("$south", southWest.Latitude), ("$north", northEast.Latitude), ("$west", southWest.Longitude), ("$east", northEast.Longitude));

        public async Task<long[]> AllAsync(CancellationToken cancellationToken) =>
            [.. await QueryAsync("SELECT rowid FROM assets ORDER BY rowid;", r => r.GetInt64(0), cancellationToken)];

        public async Task<IReadOnlyList<TextHit>> MatchTextAsync(string query, bool trigrams, int limit, CancellationToken cancellationToken)
        {
            var table = trigrams ? "ocr_grams" : "ocr_words";
            return await QueryAsync($"SELECT rowid, text FROM {table} WHERE {table} MATCH $query ORDER BY rank LIMIT $limit;",
                r => new TextHit(r.GetInt64(0) >> 10, (int)(r.GetInt64(0) & 1023), r.GetString(1)), cancellationToken, ("$query", query), ("$limit", limit));
        }

        public async Task<IReadOnlyList<AssetSummary>> DescribeAsync(IReadOnlyList<long> keys, CancellationToken cancellationToken)
        {
            if (keys.Count == 0)
            {
                return [];
            }
            var found = (await QueryAsync($"""
                SELECT a.rowid, a.id, c.name, a.path, a.taken_at, a.latitude, a.longitude
                FROM assets a JOIN collections c ON c.id = a.collection_id
                WHERE a.rowid IN ({string.Join(',', keys)});
                """, r => new AssetSummary(
                    r.GetInt64(0), AssetId.TryParse(r.GetString(1), out var id) ? id : throw new InvalidDataException($"The store holds a malformed asset id '{r.GetString(1)}'."),
                    r.GetString(2), r.GetString(3),
                    r.IsDBNull(4) ? null : SqliteAssetStore.ParseTime(r.GetString(4)),
                    r.IsDBNull(5) ? null : new GeoPoint(r.GetDouble(5), r.GetDouble(6))), cancellationToken))
                .ToDictionary(a => a.Key);
            return keys.Where(found.ContainsKey).Select(k => found[k]).ToList();
        }

        public async Task<long> KeyOfAsync(AssetId id, CancellationToken cancellationToken) =>
            (await QueryAsync("SELECT rowid FROM assets WHERE id = $id;", r => r.GetInt64(0), cancellationToken, ("$id", id.ToString())))
            is [var key] ? key : throw new KeyNotFoundException($"no asset {id}");

        public async Task<long> VectorGenerationAsync(string space, CancellationToken cancellationToken) =>
            (await QueryAsync("SELECT generation FROM search_generation WHERE space = $space;", r => r.GetInt64(0), cancellationToken, ("$space", space)))
            is [var generation] ? generation : 0;

        public async Task<VectorSet> VectorsAsync(string space, CancellationToken cancellationToken)
        {
            var rows = await QueryAsync(
                "SELECT a.rowid, v.vector FROM vectors v JOIN assets a ON a.id = v.asset_id WHERE v.space = $space ORDER BY a.rowid;",
                r => (Key: r.GetInt64(0), Vector: MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(1)).ToArray()), cancellationToken, ("$space", space));
            var dimensions = rows.Count == 0 ? 0 : rows[0].Vector.Length;
            var kept = rows.Where(r => r.Vector.Length == dimensions).ToList();
            return new VectorSet([.. kept.Select(r => r.Key)], [.. kept.SelectMany(r => r.Vector)], dimensions);
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync();

        private async Task<List<T>> QueryAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }
            var rows = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(read(reader));
            }
            return rows;
        }

        private static long Unix(DateTimeOffset time) =>
            time == DateTimeOffset.MinValue ? long.MinValue : time == DateTimeOffset.MaxValue ? long.MaxValue : time.ToUnixTimeSeconds();
    }
}
