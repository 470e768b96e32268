namespace Tsunami.Storage.Sqlite;

/// <summary>The store's tables, one migration per schema version (PRAGMA user_version).</summary>
internal static class Schema
{
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE collections (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE assets (
            id TEXT PRIMARY KEY,
            collection_id INTEGER NOT NULL REFERENCES collections(id),
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            format TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            phash INTEGER NOT NULL,
            taken_at TEXT,
            taken_at_unix INTEGER,
            latitude REAL,
            longitude REAL,
            camera_make TEXT,
            camera_model TEXT,
            orientation INTEGER NOT NULL,
            metadata TEXT NOT NULL,
            ingested_at TEXT NOT NULL,
            UNIQUE (collection_id, sha256)
        );
        CREATE INDEX assets_by_path ON assets(path);
        CREATE INDEX assets_by_taken_at ON assets(taken_at_unix);
        CREATE INDEX assets_by_sha256 ON assets(sha256);
        CREATE TABLE asset_tags (
            asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (asset_id, key)
        ) WITHOUT ROWID;
        CREATE INDEX asset_tags_by_key_value ON asset_tags(key, value);
        CREATE TABLE derived_files (
            asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            media_type TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            PRIMARY KEY (asset_id, kind)
        ) WITHOUT ROWID;
        CREATE TABLE near_duplicates (
            asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            other_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            distance INTEGER NOT NULL,
            PRIMARY KEY (asset_id, other_id)
        ) WITHOUT ROWID;
        CREATE INDEX near_duplicates_by_other ON near_duplicates(other_id);
        CREATE TABLE ingest_jobs (
            id INTEGER PRIMARY KEY,
            collection TEXT NOT NULL,
            sources TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            ingested INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE ingest_errors (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES ingest_jobs(id),
            path TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE INDEX ingest_errors_by_job ON ingest_errors(job_id);
        """,
        """
        CREATE TABLE enrichment_stages (
            asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            stage TEXT NOT NULL,
            version TEXT NOT NULL,
            error TEXT,
            completed_at TEXT NOT NULL,
            PRIMARY KEY (asset_id, stage)
        ) WITHOUT ROWID;
        CREATE TABLE objects (
            asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            label TEXT NOT NULL,
            score REAL NOT NULL,
            x REAL NOT NULL, y REAL NOT NULL, width REAL NOT NULL, height REAL NOT NULL
        );
        CREATE INDEX objects_by_asset ON objects(asset_id);
        CREATE INDEX objects_by_label ON objects(label, asset_id);
        CREATE TABLE faces (
            asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            score REAL NOT NULL,
            x REAL NOT NULL, y REAL NOT NULL, width REAL NOT NULL, height REAL NOT NULL,
            landmarks TEXT NOT NULL
        );
        CREATE INDEX faces_by_asset ON faces(asset_id);
        CREATE TABLE labels (
            asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            name TEXT NOT NULL,
            synset TEXT NOT NULL,
            score REAL NOT NULL,
            PRIMARY KEY (asset_id, rank)
        ) WITHOUT ROWID;
        CREATE INDEX labels_by_name ON labels(name);
        CREATE TABLE concepts (
            asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            synset TEXT NOT NULL,
            name TEXT NOT NULL,
            score REAL NOT NULL,
            PRIMARY KEY (asset_id, synset)
        ) WITHOUT ROWID;
        CREATE INDEX concepts_by_name ON concepts(name, score);
        CREATE TABLE quality (
            asset_id TEXT PRIMARY KEY REFERENCES assets(id) ON DELETE CASCADE,
            sharpness REAL NOT NULL,
            brightness REAL NOT NULL,
            dark_share REAL NOT NULL,
            clipped_share REAL NOT NULL,
            megapixels REAL NOT NULL,
            flags TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE text_lines (
            asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            line INTEGER NOT NULL,
            text TEXT NOT NULL,
            confidence REAL NOT NULL,
            quad TEXT NOT NULL,
            PRIMARY KEY (asset_id, line)
        ) WITHOUT ROWID;
        CREATE TABLE vectors (
            asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            space TEXT NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (asset_id, space)
        ) WITHOUT ROWID;
        """,
        // Search: an inverted index of everything a question can name, keyed by the asset's rowid and kept by
        // triggers, so every writer (ingest, enrich, future ones) feeds it without knowing it exists.
        // Terms: object:<coco label> (count, best score), label:<imagenet name>, concept:<wordnet name>,
        // quality:<flag>, tag:<key>=<value>, collection:<name>; all lower case. OCR lines go to two FTS5 tables
        // (words for BM25 and short tokens, trigrams for OCR-noise-tolerant matching), rowid = asset rowid·1024 + line.
        """
        CREATE TABLE search_terms (
            term TEXT NOT NULL,
            asset_key INTEGER NOT NULL,
            score REAL NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (term, asset_key)
        ) WITHOUT ROWID;
        CREATE INDEX search_terms_by_asset ON search_terms(asset_key);
        CREATE TABLE search_vocabulary (
            term TEXT PRIMARY KEY,
            assets INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE search_generation (
            space TEXT PRIMARY KEY,
            generation INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE VIRTUAL TABLE ocr_words USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
        CREATE VIRTUAL TABLE ocr_grams USING fts5(text, tokenize = 'trigram');
        CREATE INDEX assets_by_latitude ON assets(latitude) WHERE latitude IS NOT NULL;

        CREATE TRIGGER search_vocabulary_add AFTER INSERT ON search_terms BEGIN
            INSERT INTO search_vocabulary (term, assets) VALUES (NEW.term, 1)
                ON CONFLICT (term) DO UPDATE SET assets = assets + 1;
        END;
        CREATE TRIGGER search_vocabulary_remove AFTER DELETE ON search_terms BEGIN
            UPDATE search_vocabulary SET assets = assets - 1 WHERE term = OLD.term;
            DELETE FROM search_vocabulary WHERE term = OLD.term AND assets <= 0;
        END;

        CREATE TRIGGER search_asset_added AFTER INSERT ON assets BEGIN
            INSERT INTO search_terms (term, asset_key, score, count)
                SELECT 'collection:' || lower(name), NEW.rowid, 1, 1 FROM collections WHERE id = NEW.collection_id;
        END;
        CREATE TRIGGER search_asset_removed AFTER DELETE ON assets BEGIN
            DELETE FROM search_terms WHERE asset_key = OLD.rowid;
            DELETE FROM ocr_words WHERE rowid BETWEEN OLD.rowid * 1024 AND OLD.rowid * 1024 + 1023;
            DELETE FROM ocr_grams WHERE rowid BETWEEN OLD.rowid * 1024 AND OLD.rowid * 1024 + 1023;
        END;

        CREATE TRIGGER search_tag_added AFTER INSERT ON asset_tags BEGIN
            INSERT INTO search_terms (term, asset_key, score, count)
                SELECT 'tag:' || lower(NEW.key) || '=' || lower(NEW.value), rowid, 1, 1 FROM assets WHERE id = NEW.asset_id;
        END;
        CREATE TRIGGER search_tag_removed AFTER DELETE ON asset_tags BEGIN
            DELETE FROM search_terms WHERE term = 'tag:' || lower(OLD.key) || '=' || lower(OLD.value)
                AND asset_key = (SELECT rowid FROM assets WHERE id = OLD.asset_id);
        END;

        CREATE TRIGGER search_object_added AFTER INSERT ON objects BEGIN
            INSERT INTO search_terms (term, asset_key, score, count)
                SELECT 'object:' || lower(NEW.label), rowid, NEW.score, 1 FROM assets WHERE id = NEW.asset_id
                ON CONFLICT (term, asset_key) DO UPDATE SET count = count + 1, score = max(score, excluded.score);
        END;
        CREATE TRIGGER search_object_removed AFTER DELETE ON objects BEGIN
            UPDATE search_terms SET count = count - 1
                WHERE term = 'object:' || lower(OLD.label) AND asset_key = (SELECT rowid FROM assets WHERE id = OLD.asset_id);
            DELETE FROM search_terms
                WHERE term = 'object:' || lower(OLD.label) AND asset_key = (SELECT rowid FROM assets WHERE id = OLD.asset_id) AND count <= 0;
        END;

        CREATE TRIGGER search_label_added AFTER INSERT ON labels BEGIN
            INSERT INTO search_terms (term, asset_key, score, count)
                SELECT 'label:' || lower(NEW.name), rowid, NEW.score, 1 FROM assets WHERE id = NEW.asset_id
                ON CONFLICT (term, asset_key) DO UPDATE SET score = max(score, excluded.score);
        END;
        CREATE TRIGGER search_label_removed AFTER DELETE ON labels BEGIN
            DELETE FROM search_terms WHERE term = 'label:' || lower(OLD.name) AND asset_key = (SELECT rowid FROM assets WHERE id = OLD.asset_id);
        END;

        CREATE TRIGGER search_concept_added AFTER INSERT ON concepts BEGIN
            INSERT INTO search_terms (term, asset_key, score, count)
                SELECT 'concept:' || lower(NEW.name), rowid, NEW.score, 1 FROM assets WHERE id = NEW.asset_id
                ON CONFLICT (term, asset_key) DO UPDATE SET score = max(score, excluded.score);
        END;
        CREATE TRIGGER search_concept_removed AFTER DELETE ON concepts BEGIN
            DELETE FROM search_terms WHERE term = 'concept:' || lower(OLD.name) AND asset_key = (SELECT rowid FROM assets WHERE id = OLD.asset_id);
        END;

        CREATE TRIGGER search_quality_added AFTER INSERT ON quality BEGIN
            INSERT INTO search_terms (term, asset_key, score, count)
                SELECT 'quality:' || flag, (SELECT rowid FROM assets WHERE id = NEW.asset_id), 1, 1
                FROM (SELECT 'blurry' AS flag UNION ALL SELECT 'dark' UNION ALL SELECT 'overexposed' UNION ALL SELECT 'low-resolution')
                WHERE instr(',' || NEW.flags || ',', ',' || flag || ',') > 0;
        END;
        CREATE TRIGGER search_quality_removed AFTER DELETE ON quality BEGIN
            DELETE FROM search_terms WHERE term IN ('quality:blurry', 'quality:dark', 'quality:overexposed', 'quality:low-resolution')
                AND asset_key = (SELECT rowid FROM assets WHERE id = OLD.asset_id);
        END;

        CREATE TRIGGER search_text_added AFTER INSERT ON text_lines WHEN NEW.line < 1024 BEGIN
            INSERT INTO ocr_words (rowid, text) SELECT rowid * 1024 + NEW.line, NEW.text FROM assets WHERE id = NEW.asset_id;
            INSERT INTO ocr_grams (rowid, text) SELECT rowid * 1024 + NEW.line, NEW.text FROM assets WHERE id = NEW.asset_id;
        END;
        CREATE TRIGGER search_text_removed AFTER DELETE ON text_lines WHEN OLD.line < 1024 BEGIN
            DELETE FROM ocr_words WHERE rowid = (SELECT rowid FROM assets WHERE id = OLD.asset_id) * 1024 + OLD.line;
            DELETE FROM ocr_grams WHERE rowid = (SELECT rowid FROM assets WHERE id = OLD.asset_id) * 1024 + OLD.line;
        END;

        CREATE TRIGGER search_vector_added AFTER INSERT ON vectors BEGIN
            INSERT INTO search_generation (space, generation) VALUES (NEW.space, 1)
                ON CONFLICT (space) DO UPDATE SET generation = generation + 1;
        END;
        CREATE TRIGGER search_vector_removed AFTER DELETE ON vectors BEGIN
            UPDATE search_generation SET generation = generation + 1 WHERE space = OLD.space;
        END;

        INSERT INTO search_terms (term, asset_key, score, count)
            SELECT 'collection:' || lower(c.name), a.rowid, 1, 1 FROM assets a JOIN collections c ON c.id = a.collection_id;
        INSERT INTO search_terms (term, asset_key, score, count)
            SELECT 'tag:' || lower(t.key) || '=' || lower(t.value), a.rowid, 1, 1 FROM asset_tags t JOIN assets a ON a.id = t.asset_id;
        INSERT INTO search_terms (term, asset_key, score, count)
            SELECT 'object:' || lower(o.label), a.rowid, max(o.score), count(*) FROM objects o JOIN assets a ON a.id = o.asset_id GROUP BY a.rowid, lower(o.label);
        INSERT OR IGNORE INTO search_terms (term, asset_key, score, count)
            SELECT 'label:' || lower(l.name), a.rowid, max(l.score), 1 FROM labels l JOIN assets a ON a.id = l.asset_id GROUP BY a.rowid, lower(l.name);
        INSERT OR IGNORE INTO search_terms (term, asset_key, score, count)
            SELECT 'concept:' || lower(c.name), a.rowid, max(c.score), 1 FROM concepts c JOIN assets a ON a.id = c.asset_id GROUP BY a.rowid, lower(c.name);
        INSERT INTO search_terms (term, asset_key, score, count)
            SELECT 'quality:' || f.flag, a.rowid, 1, 1 FROM quality q JOIN assets a ON a.id = q.asset_id
            JOIN (SELECT 'blurry' AS flag UNION ALL SELECT 'dark' UNION ALL SELECT 'overexposed' UNION ALL SELECT 'low-resolution') f
                ON instr(',' || q.flags || ',', ',' || f.flag || ',') > 0;
        INSERT INTO ocr_words (rowid, text) SELECT a.rowid * 1024 + t.line, t.text FROM text_lines t JOIN assets a ON a.id = t.asset_id WHERE t.line < 1024;
        INSERT INTO ocr_grams (rowid, text) SELECT a.rowid * 1024 + t.line, t.text FROM text_lines t JOIN assets a ON a.id = t.asset_id WHERE t.line < 1024;
        INSERT INTO search_generation (space, generation) SELECT DISTINCT space, 1 FROM vectors;
        """,
        // Deletion: blobs that deleted rows no longer need are queued in the transaction that deletes the rows and
        // removed from disk after it commits, so a crash in between leaves a queue that recovery finishes.
        """
        CREATE TABLE blob_deletions (sha256 TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE INDEX derived_files_by_sha256 ON derived_files(sha256);
        """,
        // Zero-shot labels of a CLIP model: searchable as concepts, like WordNet's, so a concept term stays while
        // either table still names it for the asset.
        """
        CREATE TABLE zero_shot_labels (
            asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            label TEXT NOT NULL,
            score REAL NOT NULL,
            PRIMARY KEY (asset_id, label)
        ) WITHOUT ROWID;
        CREATE TRIGGER search_zero_shot_added AFTER INSERT ON zero_shot_labels BEGIN
            INSERT INTO search_terms (term, asset_key, score, count)
                SELECT 'concept:' || lower(NEW.label), rowid, NEW.score, 1 FROM assets WHERE id = NEW.asset_id
                ON CONFLICT (term, asset_key) DO UPDATE SET score = max(score, excluded.score);
        END;
        CREATE TRIGGER search_zero_shot_removed AFTER DELETE ON zero_shot_labels BEGIN
            DELETE FROM search_terms WHERE term = 'concept:' || lower(OLD.label)
                AND asset_key = (SELECT rowid FROM assets WHERE id = OLD.asset_id)
                AND NOT EXISTS (SELECT 1 FROM concepts WHERE asset_id = OLD.asset_id AND lower(name) = lower(OLD.label));
        END;
        DROP TRIGGER search_concept_removed;
        CREATE TRIGGER search_concept_removed AFTER DELETE ON concepts BEGIN
            DELETE FROM search_terms WHERE term = 'concept:' || lower(OLD.name)
                AND asset_key = (SELECT rowid FROM assets WHERE id = OLD.asset_id)
                AND NOT EXISTS (SELECT 1 FROM zero_shot_labels WHERE asset_id = OLD.asset_id AND lower(label) = lower(OLD.name));
        END;
        """,
    ];
}
