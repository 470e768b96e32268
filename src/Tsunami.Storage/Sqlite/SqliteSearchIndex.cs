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
        public async Task<IReadOnlyDictionary<string, int>> VocabularyAsync(string prefix, CancellationToken cancellationToken)
        {
            var terms = new Dictionary<string, int>(StringComparer.Ordinal);
            await using var reader = await ReadAsync(
                "SELECT term, assets FROM search_vocabulary WHERE term >= $from AND term < $to;", cancellationToken,
                ("$from", prefix), ("$to", prefix + "\uffff"));
            while (await reader.ReadAsync(cancellationToken))
            {
                terms[reader.GetString(0)] = reader.GetInt32(1);
            }
            return terms;
        }

        public async Task<Posting> TermAsync(string term, CancellationToken cancellationToken)
        {
            var (keys, scores, counts) = (new List<long>(), new List<float>(), new List<int>());
            await using var reader = await ReadAsync(
                "SELECT asset_key, score, count FROM search_terms WHERE term = $term ORDER BY asset_key;", cancellationToken, ("$term", term));
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(reader.GetInt64(0));
                scores.Add(reader.GetFloat(1));
                counts.Add(reader.GetInt32(2));
            }
            return keys.Count == 0 ? Posting.Empty : new Posting([.. keys], [.. scores], [.. counts]);
        }

        public async Task<long[]> TakenBetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
        {
            var keys = await KeysAsync(
                "SELECT rowid FROM assets WHERE taken_at_unix >= $from AND taken_at_unix < $to;", cancellationToken,
                ("$from", Unix(from)), ("$to", Unix(to)));
            Array.Sort(keys);
            return keys;
        }

        public async Task<IReadOnlyList<(long Key, GeoPoint Location)>> LocatedWithinAsync(GeoPoint southWest, GeoPoint northEast, CancellationToken cancellationToken)
        {
            var found = new List<(long, GeoPoint)>();
            await using var reader = await ReadAsync("""
                SELECT rowid, latitude, longitude FROM assets
                WHERE latitude IS NOT NULL AND latitude BETWEEN $south AND $north AND longitude BETWEEN $west AND $east;
                """, cancellationToken,
                ("$south", southWest.Latitude), ("$north", northEast.Latitude), ("$west", southWest.Longitude), ("$east", northEast.Longitude));
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((reader.GetInt64(0), new GeoPoint(reader.GetDouble(1), reader.GetDouble(2))));
            }
            return found;
        }

        public Task<long[]> AllAsync(CancellationToken cancellationToken) =>
            KeysAsync("SELECT rowid FROM assets ORDER BY rowid;", cancellationToken);

        public async Task<IReadOnlyList<TextHit>> MatchTextAsync(string query, bool trigrams, int limit, CancellationToken cancellationToken)
        {
            var hits = new List<TextHit>();
            var table = trigrams ? "ocr_grams" : "ocr_words";
            await using var reader = await ReadAsync(
                $"SELECT rowid, text FROM {table} WHERE {table} MATCH $query ORDER BY rank LIMIT $limit;", cancellationToken,
                ("$query", query), ("$limit", limit));
            while (await reader.ReadAsync(cancellationToken))
            {
                var rowid = reader.GetInt64(0);
                hits.Add(new TextHit(rowid >> 10, (int)(rowid & 1023), reader.GetString(1)));
            }
            return hits;
        }

        public async Task<IReadOnlyList<AssetSummary>> DescribeAsync(IReadOnlyList<long> keys, CancellationToken cancellationToken)
        {
            if (keys.Count == 0)
            {
                return [];
            }
            var found = new Dictionary<long, AssetSummary>();
            await using var reader = await ReadAsync($"""
                SELECT a.rowid, a.id, c.name, a.path, a.taken_at, a.latitude, a.longitude
                FROM assets a JOIN collections c ON c.id = a.collection_id
                WHERE a.rowid IN ({string.Join(',', keys)});
                """, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                AssetId.TryParse(reader.GetString(1), out var id);
                found[reader.GetInt64(0)] = new AssetSummary(
                    reader.GetInt64(0), id, reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : SqliteAssetStore.ParseTime(reader.GetString(4)),
                    reader.IsDBNull(5) ? null : new GeoPoint(reader.GetDouble(5), reader.GetDouble(6)));
            }
            return keys.Where(found.ContainsKey).Select(k => found[k]).ToList();
        }

        public async Task<long?> KeyOfAsync(string idOrPrefix, CancellationToken cancellationToken)
        {
            var prefix = idOrPrefix.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
            var keys = await KeysAsync("SELECT rowid FROM assets WHERE id >= $prefix AND id < $prefix || 'g' LIMIT 2;", cancellationToken, ("$prefix", prefix));
            return keys.Length == 1 ? keys[0] : null;
        }

        public async Task<long> VectorGenerationAsync(string space, CancellationToken cancellationToken)
        {
            await using var reader = await ReadAsync("SELECT generation FROM search_generation WHERE space = $space;", cancellationToken, ("$space", space));
            return await reader.ReadAsync(cancellationToken) ? reader.GetInt64(0) : 0;
        }

        public async Task<VectorSet> VectorsAsync(string space, CancellationToken cancellationToken)
        {
            var keys = new List<long>();
            var values = new List<float>();
            var dimensions = 0;
            await using var reader = await ReadAsync("""
                SELECT a.rowid, v.vector FROM vectors v JOIN assets a ON a.id = v.asset_id WHERE v.space = $space ORDER BY a.rowid;
                """, cancellationToken, ("$space", space));
            while (await reader.ReadAsync(cancellationToken))
            {
                var vector = MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(1));
                if (dimensions == 0)
                {
                    dimensions = vector.Length;
                }
                if (vector.Length != dimensions)
                {
                    continue;
                }
                keys.Add(reader.GetInt64(0));
                values.AddRange(vector);
            }
            return new VectorSet([.. keys], [.. values], dimensions);
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync();

        private async Task<long[]> KeysAsync(string sql, CancellationToken cancellationToken, params (string, object)[] parameters)
        {
            var keys = new List<long>();
            await using var reader = await ReadAsync(sql, cancellationToken, parameters);
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(reader.GetInt64(0));
            }
            return [.. keys];
        }

        private async Task<SqliteDataReader> ReadAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }
            return await command.ExecuteReaderAsync(System.Data.CommandBehavior.Default, cancellationToken);
        }

        private static long Unix(DateTimeOffset time) =>
            time == DateTimeOffset.MinValue ? long.MinValue : time == DateTimeOffset.MaxValue ? long.MaxValue : time.ToUnixTimeSeconds();
    }
}
