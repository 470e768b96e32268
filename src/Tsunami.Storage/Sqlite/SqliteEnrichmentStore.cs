using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Tsunami.Core.Assets;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Storage;

namespace Tsunami.Storage.Sqlite;

/// <summary>Enrichment results in SQLite: one table per kind of finding, one row per stage run with its version.</summary>
public sealed class SqliteEnrichmentStore(SqliteDatabase database, TimeProvider time) : IEnrichmentStore
{
    public async Task<IReadOnlyList<EnrichmentWork>> ListPendingAsync(
        string? collection, IReadOnlyDictionary<string, string> stageVersions, bool force, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT a.id, d.sha256, a.width, a.height,
                   (SELECT json_group_object(s.stage, s.version) FROM enrichment_stages s WHERE s.asset_id = a.id AND s.error IS NULL),
                   t.sha256
            FROM assets a JOIN collections c ON c.id = a.collection_id
            JOIN derived_files d ON d.asset_id = a.id AND d.kind = 'preview'
            JOIN derived_files t ON t.asset_id = a.id AND t.kind = 'thumbnail'
            WHERE $collection IS NULL OR c.name = $collection
            ORDER BY a.rowid;
            """;
        command.Parameters.AddWithValue("$collection", (object?)collection ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var work = new List<EnrichmentWork>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var done = StoreJson.ParseMap(reader.IsDBNull(4) ? null : reader.GetString(4));
            var stages = stageVersions
                .Where(s => force || !done.TryGetValue(s.Key, out var version) || version != s.Value)
                .Select(s => s.Key).ToList();
            if (stages.Count > 0)
            {
                AssetId.TryParse(reader.GetString(0), out var id);
                work.Add(new EnrichmentWork(id, ContentHash.Parse(reader.GetString(1)), ContentHash.Parse(reader.GetString(5)), reader.GetInt32(2), reader.GetInt32(3), stages));
            }
        }
        return work;
    }

    public async Task CommitAsync(IReadOnlyList<AssetEnrichment> enrichments, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var now = SqliteAssetStore.FormatTime(time.GetUtcNow());
        foreach (var enrichment in enrichments)
        {
            var id = enrichment.Asset.ToString();
            foreach (var (stage, version) in enrichment.Versions)
            {
                await ClearStageAsync(connection, transaction, id, stage, cancellationToken);
                enrichment.Errors.TryGetValue(stage, out var error);
                await SqliteCommands.ExecuteAsync(connection, transaction, """
                    INSERT OR REPLACE INTO enrichment_stages (asset_id, stage, version, error, completed_at) VALUES ($id, $stage, $version, $error, $now);
                    """, cancellationToken, ("$id", id), ("$stage", stage), ("$version", version), ("$error", error), ("$now", now));
            }
            if (enrichment.Versions.ContainsKey(EnrichmentStage.Faces) && !enrichment.Errors.ContainsKey(EnrichmentStage.Faces))
            {
                await SqliteCommands.ExecuteAsync(connection, transaction, "DELETE FROM derived_files WHERE asset_id = $id AND kind = 'privatethumbnail';",
                    cancellationToken, ("$id", id));
            }
            if (enrichment.PrivateThumbnail is { } thumbnail)
            {
                await SqliteCommands.ExecuteAsync(connection, transaction, """
                    INSERT INTO derived_files (asset_id, kind, sha256, media_type, width, height, bytes)
                    VALUES ($id, 'privatethumbnail', $sha256, $media_type, $width, $height, $bytes);
                    """, cancellationToken, ("$id", id), ("$sha256", thumbnail.Hash.Hex), ("$media_type", thumbnail.MediaType),
                    ("$width", thumbnail.Width), ("$height", thumbnail.Height), ("$bytes", thumbnail.Bytes));
            }
            await InsertFindingsAsync(connection, transaction, id, enrichment, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<AssetEnrichment> GetAsync(AssetId asset, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT stage, version, error FROM enrichment_stages WHERE asset_id = $id;
            SELECT label, score, x, y, width, height FROM objects WHERE asset_id = $id ORDER BY score DESC;
            SELECT name, score, synset FROM labels WHERE asset_id = $id ORDER BY rank;
            SELECT name, synset, score FROM concepts WHERE asset_id = $id ORDER BY score DESC, name;
            SELECT score, x, y, width, height, landmarks FROM faces WHERE asset_id = $id ORDER BY score DESC;
            SELECT sharpness, brightness, dark_share, clipped_share, megapixels, flags FROM quality WHERE asset_id = $id;
            SELECT vector FROM vectors WHERE asset_id = $id AND space = 'visual';
            SELECT vector FROM vectors WHERE asset_id = $id AND space = 'semantic';
            SELECT text, confidence, quad FROM text_lines WHERE asset_id = $id ORDER BY line;
            SELECT vector FROM vectors WHERE asset_id = $id AND space = 'clip';
            SELECT label, score FROM zero_shot_labels WHERE asset_id = $id ORDER BY score DESC, label;
            """;
        command.Parameters.AddWithValue("$id", asset.ToString());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new Dictionary<string, string>();
        var errors = new Dictionary<string, string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions[reader.GetString(0)] = reader.GetString(1);
            if (!reader.IsDBNull(2))
            {
                errors[reader.GetString(0)] = reader.GetString(2);
            }
        }
        var objects = await ReadAllAsync(reader, r => new DetectedObject(r.GetString(0), r.GetFloat(1), ReadBox(r, 2)), cancellationToken);
        var labels = await ReadAllAsync(reader, r => new ImageLabel(r.GetString(0), r.GetFloat(1), r.GetString(2)), cancellationToken);
        var concepts = await ReadAllAsync(reader, r => new Concept(r.GetString(0), r.GetString(1), r.GetFloat(2)), cancellationToken);
        var faces = await ReadAllAsync(reader, r => new DetectedFace(r.GetFloat(0), ReadBox(r, 1), ParseFloats(r.GetString(5))), cancellationToken);
        var quality = (await ReadAllAsync(reader, r => new QualityReport(r.GetDouble(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4),
            r.GetString(5).Split(',', StringSplitOptions.RemoveEmptyEntries))
            , cancellationToken)).FirstOrDefault();
        var embedding = (await ReadAllAsync(reader, ReadVector, cancellationToken)).FirstOrDefault();
        var semantic = (await ReadAllAsync(reader, ReadVector, cancellationToken)).FirstOrDefault();
        var text = await ReadAllAsync(reader, r => new TextLine(r.GetString(0), r.GetFloat(1), ParseFloats(r.GetString(2))), cancellationToken);
        var clip = (await ReadAllAsync(reader, ReadVector, cancellationToken)).FirstOrDefault();
        var zeroShot = await ReadAllAsync(reader, r => new ZeroShotLabel(r.GetString(0), r.GetFloat(1)), cancellationToken);

        bool Ran(string stage) => versions.ContainsKey(stage) && !errors.ContainsKey(stage);
        return new AssetEnrichment(asset)
        {
            Versions = versions,
            Errors = errors,
            Objects = Ran(EnrichmentStage.Objects) ? objects : null,
            Labels = Ran(EnrichmentStage.Labels) ? labels : null,
            Concepts = Ran(EnrichmentStage.Labels) ? concepts : null,
            Faces = Ran(EnrichmentStage.Faces) ? faces : null,
            Text = Ran(EnrichmentStage.Text) ? text : null,
            Quality = quality,
            Embedding = embedding,
            Semantic = semantic,
            Clip = clip,
            ZeroShot = Ran(EnrichmentStage.Clip) ? zeroShot : null,
        };
    }

    private static async Task ClearStageAsync(SqliteConnection connection, SqliteTransaction transaction, string id, string stage, CancellationToken cancellationToken)
    {
        string[] statements = stage switch
        {
            EnrichmentStage.Objects => ["DELETE FROM objects WHERE asset_id = $id;"],
            EnrichmentStage.Labels => ["DELETE FROM labels WHERE asset_id = $id;", "DELETE FROM concepts WHERE asset_id = $id;",
                "DELETE FROM vectors WHERE asset_id = $id AND space IN ('visual', 'semantic');"],
            EnrichmentStage.Faces => ["DELETE FROM faces WHERE asset_id = $id;"],
            EnrichmentStage.Quality => ["DELETE FROM quality WHERE asset_id = $id;"],
            EnrichmentStage.Text => ["DELETE FROM text_lines WHERE asset_id = $id;"],
            EnrichmentStage.Clip => ["DELETE FROM zero_shot_labels WHERE asset_id = $id;", "DELETE FROM vectors WHERE asset_id = $id AND space = 'clip';"],
            _ => [],
        };
        foreach (var statement in statements)
        {
            await SqliteCommands.ExecuteAsync(connection, transaction, statement, cancellationToken, ("$id", id));
        }
    }

    private static async Task InsertFindingsAsync(SqliteConnection connection, SqliteTransaction transaction, string id, AssetEnrichment e, CancellationToken cancellationToken)
    {
        foreach (var o in e.Objects ?? [])
        {
            await SqliteCommands.ExecuteAsync(connection, transaction,
                "INSERT INTO objects (asset_id, label, score, x, y, width, height) VALUES ($id, $label, $score, $x, $y, $w, $h);", cancellationToken,
                ("$id", id), ("$label", o.Label), ("$score", o.Score), ("$x", o.Box.X), ("$y", o.Box.Y), ("$w", o.Box.Width), ("$h", o.Box.Height));
        }
        foreach (var f in e.Faces ?? [])
        {
            await SqliteCommands.ExecuteAsync(connection, transaction,
                "INSERT INTO faces (asset_id, score, x, y, width, height, landmarks) VALUES ($id, $score, $x, $y, $w, $h, $landmarks);", cancellationToken,
                ("$id", id), ("$score", f.Score), ("$x", f.Box.X), ("$y", f.Box.Y), ("$w", f.Box.Width), ("$h", f.Box.Height),
                ("$landmarks", FormatFloats(f.Landmarks)));
        }
        var line = 0;
        foreach (var t in e.Text ?? [])
        {
            await SqliteCommands.ExecuteAsync(connection, transaction,
                "INSERT INTO text_lines (asset_id, line, text, confidence, quad) VALUES ($id, $line, $text, $confidence, $quad);", cancellationToken,
                ("$id", id), ("$line", line++), ("$text", t.Text), ("$confidence", t.Confidence), ("$quad", FormatFloats(t.Quad)));
        }
        var rank = 0;
        foreach (var l in e.Labels ?? [])
        {
            await SqliteCommands.ExecuteAsync(connection, transaction,
                "INSERT INTO labels (asset_id, rank, name, synset, score) VALUES ($id, $rank, $name, $synset, $score);", cancellationToken,
                ("$id", id), ("$rank", rank++), ("$name", l.Name), ("$synset", l.Synset), ("$score", l.Score));
        }
        foreach (var c in e.Concepts ?? [])
        {
            await SqliteCommands.ExecuteAsync(connection, transaction,
                "INSERT INTO concepts (asset_id, synset, name, score) VALUES ($id, $synset, $name, $score);", cancellationToken,
                ("$id", id), ("$synset", c.Synset), ("$name", c.Name), ("$score", c.Score));
        }
        if (e.Quality is { } q)
        {
            await SqliteCommands.ExecuteAsync(connection, transaction, """
                INSERT INTO quality (asset_id, sharpness, brightness, dark_share, clipped_share, megapixels, flags)
                VALUES ($id, $sharpness, $brightness, $dark, $clipped, $mp, $flags);
                """, cancellationToken,
                ("$id", id), ("$sharpness", q.Sharpness), ("$brightness", q.Brightness), ("$dark", q.DarkShare), ("$clipped", q.ClippedShare),
                ("$mp", q.Megapixels), ("$flags", string.Join(',', q.Flags)));
        }
        foreach (var z in e.ZeroShot ?? [])
        {
            await SqliteCommands.ExecuteAsync(connection, transaction, "INSERT INTO zero_shot_labels (asset_id, label, score) VALUES ($id, $label, $score);",
                cancellationToken, ("$id", id), ("$label", z.Label), ("$score", z.Score));
        }
        foreach (var (space, vector) in new[] { (VectorSpaceNames.Visual, e.Embedding), (VectorSpaceNames.Semantic, e.Semantic), (VectorSpaceNames.Clip, e.Clip) })
        {
            if (vector is not null)
            {
                await SqliteCommands.ExecuteAsync(connection, transaction, "INSERT INTO vectors (asset_id, space, vector) VALUES ($id, $space, $vector);",
                    cancellationToken, ("$id", id), ("$space", space), ("$vector", MemoryMarshal.AsBytes(vector.AsSpan()).ToArray()));
            }
        }
    }

    public async Task<IReadOnlyList<(AssetId Asset, float[] Vector)>> ListVectorsAsync(string space, string? collection, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT v.asset_id, v.vector FROM vectors v JOIN assets a ON a.id = v.asset_id JOIN collections c ON c.id = a.collection_id
            WHERE v.space = $space AND ($collection IS NULL OR c.name = $collection);
            """;
        command.Parameters.AddWithValue("$space", space);
        command.Parameters.AddWithValue("$collection", (object?)collection ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var vectors = new List<(AssetId, float[])>();
        while (await reader.ReadAsync(cancellationToken))
        {
            AssetId.TryParse(reader.GetString(0), out var id);
            vectors.Add((id, ReadVector(reader, 1)));
        }
        return vectors;
    }

    private static float[] ReadVector(SqliteDataReader reader) => ReadVector(reader, 0);

    private static float[] ReadVector(SqliteDataReader reader, int ordinal) => MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(ordinal)).ToArray();

    private static string FormatFloats(float[] values) =>
        string.Join(',', values.Select(v => v.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)));

    private static float[] ParseFloats(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];

    private static Box ReadBox(SqliteDataReader reader, int first) =>
        new(reader.GetFloat(first), reader.GetFloat(first + 1), reader.GetFloat(first + 2), reader.GetFloat(first + 3));

    private static async Task<List<T>> ReadAllAsync<T>(SqliteDataReader reader, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        await reader.NextResultAsync(cancellationToken);
        var items = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(read(reader));
        }
        return items;
    }
}
