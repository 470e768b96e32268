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
    ];
}
