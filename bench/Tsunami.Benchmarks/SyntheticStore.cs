using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Tsunami.Inference.Concepts;

namespace Tsunami.Benchmarks;

/// <summary>
/// A store of N synthetic inspection photos written straight into SQLite (the search tables filled by the
/// store's own triggers), with field-service distributions: two years of capture times, 50 sites (GPS around each,
/// Zipf-like popularity), 0–8 people, trucks, cars and other COCO objects, ImageNet-style labels with WordNet
/// generalisations, quality flags, sign text on a quarter of the photos with OCR noise, and ConSE vectors made
/// from the real GloVe vectors of what each photo "shows". Deterministic (seed 42); kept under .cache/bench.
/// </summary>
internal static class SyntheticStore
{
    public static readonly DateTimeOffset Now = new(2025, 3, 18, 12, 0, 0, TimeSpan.Zero);
    public const int Sites = 50;

    private static readonly string[] OtherObjects = ["dog", "bicycle", "bus", "traffic light", "fire hydrant", "stop sign", "bench", "backpack", "umbrella", "motorcycle"];
    private static readonly (string Label, string[] Concepts)[] Scenes =
    [
        ("pickup", ["truck", "motor vehicle", "vehicle"]), ("trailer truck", ["truck", "motor vehicle", "vehicle"]),
        ("tow truck", ["truck", "motor vehicle", "vehicle"]), ("crane", ["machine", "device"]), ("forklift", ["machine", "vehicle"]),
        ("street sign", ["sign", "structure"]), ("traffic light", ["light", "device"]), ("power pole", ["pole", "structure"]),
        ("barn", ["building", "structure"]), ("container ship", ["ship", "vessel", "vehicle"]), ("chain link fence", ["fence", "structure"]),
        ("lawn mower", ["machine", "device"]), ("solar dish", ["device", "structure"]), ("water tower", ["tower", "structure"]),
    ];
    private static readonly string[] Signs = ["HIGH VOLTAGE", "DANGER", "KEEP OUT", "NO ENTRY", "AUTHORIZED PERSONNEL ONLY", "WARNING", "FIRE EXIT"];

    public static (double Latitude, double Longitude) SiteCentre(int site) => (40 + (site * 0.37 % 5), -4 + (site * 0.61 % 6));

    /// <summary>The data folder of a store of <paramref name="count"/> photos, made if missing.</summary>
    public static async Task<string> EnsureAsync(int count, Func<string, float[]?> wordVector, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Tsunami.TestKit.RepositoryPaths.Root, ".cache", "bench", $"ask-{count}");
        var data = Path.Combine(folder, "data");
        if (File.Exists(Path.Combine(folder, ".complete")))
        {
            return data;
        }
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        var database = new Tsunami.Storage.Sqlite.SqliteDatabase(new Tsunami.Storage.DataDirectory(data));
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            await Execute(connection, null, "PRAGMA synchronous = OFF; INSERT INTO collections (name, created_at) VALUES ('inspections', '2025-01-01T00:00:00.000+00:00');");
            var random = new Random(42);
            var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
            float[] Vector(string word) => vectors.TryGetValue(word, out var v) ? v : vectors[word] = wordVector(word) ?? new float[WordVectors.Dimensions];
            for (var start = 0; start < count; start += 20_000)
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                using var inserts = new Inserts(connection, transaction);
                for (var i = start; i < Math.Min(count, start + 20_000); i++)
                {
                    inserts.Photo(i, random, Vector);
                }
                await transaction.CommitAsync(cancellationToken);
            }
            await Execute(connection, null, "ANALYZE;");
        }
        SqliteConnection.ClearAllPools();
        await File.WriteAllTextAsync(Path.Combine(folder, ".complete"), "", cancellationToken);
        return data;
    }

    private static async Task Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Prepared inserts, one per table, reused for every photo of a transaction.</summary>
    private sealed class Inserts : IDisposable
    {
        private readonly SqliteCommand _asset, _tag, _object, _label, _concept, _quality, _text, _vector;

        public Inserts(SqliteConnection connection, SqliteTransaction transaction)
        {
            SqliteCommand Prepare(string sql, params string[] names)
            {
                var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = sql;
                foreach (var name in names)
                {
                    command.Parameters.Add(new SqliteParameter(name, null));
                }
                command.Prepare();
                return command;
            }
            _asset = Prepare("""
                INSERT INTO assets (id, collection_id, path, sha256, bytes, format, width, height, phash, taken_at, taken_at_unix,
                                    latitude, longitude, orientation, metadata, ingested_at)
                VALUES ($id, 1, $path, $sha, 1500000, 'jpeg', 1600, 1200, 0, $taken, $unix, $lat, $lon, 1, '{}', '2025-03-18T12:00:00.000+00:00');
                """, "$id", "$path", "$sha", "$taken", "$unix", "$lat", "$lon");
            _tag = Prepare("INSERT INTO asset_tags (asset_id, key, value) VALUES ($id, $key, $value);", "$id", "$key", "$value");
            _object = Prepare("INSERT INTO objects (asset_id, label, score, x, y, width, height) VALUES ($id, $label, $score, 10, 10, 100, 100);", "$id", "$label", "$score");
            _label = Prepare("INSERT INTO labels (asset_id, rank, name, synset, score) VALUES ($id, $rank, $name, 'n00000000', $score);", "$id", "$rank", "$name", "$score");
            _concept = Prepare("INSERT OR IGNORE INTO concepts (asset_id, synset, name, score) VALUES ($id, $name, $name, $score);", "$id", "$name", "$score");
            _quality = Prepare("INSERT INTO quality (asset_id, sharpness, brightness, dark_share, clipped_share, megapixels, flags) VALUES ($id, 200, 120, 0, 0, 1.9, $flags);", "$id", "$flags");
            _text = Prepare("INSERT INTO text_lines (asset_id, line, text, confidence, quad) VALUES ($id, $line, $text, 0.9, '0,0,100,0,100,20,0,20');", "$id", "$line", "$text");
            _vector = Prepare("INSERT INTO vectors (asset_id, space, vector) VALUES ($id, 'semantic', $vector);", "$id", "$vector");
        }

        public void Photo(int index, Random random, Func<string, float[]> vector)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            var id = new Guid(bytes).ToString("N");
            var site = (int)(Sites * Math.Pow(random.NextDouble(), 2)) + 1;
            var taken = Now.AddMinutes(-random.Next(0, 730 * 24 * 60));
            var (lat, lon) = SiteCentre(site);
            var located = random.NextDouble() < 0.8;
            Run(_asset, id, $"/inspections/site-{site}/IMG_{index:0000000}.jpg", index.ToString("x64", CultureInfo.InvariantCulture), taken.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
                taken.ToUnixTimeSeconds(), located ? lat + ((random.NextDouble() - 0.5) * 0.02) : null, located ? lon + ((random.NextDouble() - 0.5) * 0.02) : null);
            Run(_tag, id, "site", site.ToString(CultureInfo.InvariantCulture));
            Run(_tag, id, "crew", ((char)('a' + random.Next(8))).ToString());

            var shown = new List<(string Word, float Weight)>();
            void Objects(string label, int n)
            {
                for (var k = 0; k < n; k++)
                {
                    var score = 0.3f + (0.7f * random.NextSingle());
                    Run(_object, id, label, score);
                    shown.Add((label, score));
                }
            }
            Objects("person", random.NextDouble() < 0.5 ? 0 : 1 + (int)Math.Min(7, -Math.Log(random.NextDouble()) * 1.5));
            Objects("truck", random.NextDouble() < 0.2 ? 1 + random.Next(2) : 0);
            Objects("car", random.NextDouble() < 0.3 ? 1 + random.Next(3) : 0);
            foreach (var other in OtherObjects)
            {
                Objects(other, random.NextDouble() < 0.04 ? 1 : 0);
            }
            for (var rank = 0; rank < 3; rank++)
            {
                var (label, concepts) = Scenes[random.Next(Scenes.Length)];
                var score = (0.6f / (rank + 1)) * random.NextSingle();
                Run(_label, id, rank, label, score);
                shown.Add((label, score));
                foreach (var concept in concepts)
                {
                    Run(_concept, id, concept, score);
                }
            }
            var flags = new List<string>();
            if (random.NextDouble() < 0.05) { flags.Add("blurry"); }
            if (random.NextDouble() < 0.03) { flags.Add("dark"); }
            if (random.NextDouble() < 0.02) { flags.Add("overexposed"); }
            Run(_quality, id, string.Join(',', flags));
            if (random.NextDouble() < 0.25)
            {
                var lines = 1 + random.Next(3);
                for (var line = 0; line < lines; line++)
                {
                    var text = random.Next(4) switch
                    {
                        0 => $"SITE {site}",
                        1 => $"PUMP {random.Next(1, 100)}",
                        2 => $"SERIAL {random.Next():X8}",
                        _ => Signs[random.Next(Signs.Length)],
                    };
                    Run(_text, id, line, Noisy(text, random));
                }
            }
            var sum = new float[WordVectors.Dimensions];
            foreach (var (word, weight) in shown)
            {
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(vector(word), weight, sum, sum);
            }
            Run(_vector, id, MemoryMarshal.AsBytes(WordVectors.Normalised(sum).AsSpan()).ToArray());
        }

        /// <summary>One character in ten read wrong, as OCR does.</summary>
        private static string Noisy(string text, Random random) =>
            new([.. text.Select(c => char.IsLetter(c) && random.NextDouble() < 0.1 ? (char)('A' + random.Next(26)) : c)]);

        private static void Run(SqliteCommand command, params object?[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }
            command.ExecuteNonQuery();
        }

        public void Dispose()
        {
            foreach (var command in new[] { _asset, _tag, _object, _label, _concept, _quality, _text, _vector })
            {
                command.Dispose();
            }
        }
    }
}
