import GRDB

/// The SQLite schema of ``SQLiteStore``, as an ordered list of migrations.
///
/// Migrations are append-only: a released migration is never edited, a change to the
/// schema is a new migration. Timestamps are REAL seconds since 1970 (with fractions);
/// maps and lists are JSON text.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: changes, buildsets, requests, builds, steps, logs, workers, plugins") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2: compressed log chunks") { db in
            // NULL: `text` is the chunk's text. Otherwise `text` is a BLOB of zlib data that
            // inflates to `size` bytes of text (step output the worker sent compressed).
            try db.execute(sql: "ALTER TABLE logs ADD COLUMN size INTEGER")
        }
        migrator.registerMigration("v3: the janitor's mark on builds whose logs it deleted") { db in
            try db.execute(sql: "ALTER TABLE builds ADD COLUMN logs_pruned_at REAL")
            // The janitor's query: ended builds whose logs are still there, oldest first.
            try db.execute(sql: "CREATE INDEX builds_unpruned ON builds(complete_at) WHERE logs_pruned_at IS NULL")
        }
        migrator.registerMigration("v4: pending requests indexed in serving order") { db in
            // pendingRequests() orders by priority first; the v1 index (submitted_at, id)
            // would leave SQLite sorting every pending row.
            try db.execute(sql: """
                DROP INDEX buildrequests_pending;
                CREATE INDEX buildrequests_serving ON buildrequests(priority DESC, submitted_at, id)
                    WHERE claimed_by IS NULL AND complete = 0;
                """)
        }
        migrator.registerMigration("v5: a format number per compressed log chunk") { db in
            // NULL with a size: zlib, what v2 to v4 wrote. Otherwise LogCodec.format (2: zstd).
            try db.execute(sql: "ALTER TABLE logs ADD COLUMN format INTEGER")
        }
        migrator.registerMigration("v6: request lists indexed by what they filter on") { db in
            // requests(claimed:complete:) reads newest first; with a filter that few rows of a
            // long history pass (complete = 0, claimed_by IS NULL), the rowid walk read the whole
            // table. These keep only those rows, so a page costs its length at any history.
            try db.execute(sql: """
                CREATE INDEX buildrequests_open ON buildrequests(id) WHERE complete = 0;
                CREATE INDEX buildrequests_unclaimed ON buildrequests(id) WHERE claimed_by IS NULL;
                """)
        }
        migrator.registerMigration("v7: build lists and the janitor's buildsets indexed") { db in
            // builds(_:): the few running builds of any history, and one builder's, newest
            // first and from any keyset position (`id < ?`); pruneBuilds: the oldest buildsets.
            try db.execute(sql: """
                CREATE INDEX builds_open ON builds(id) WHERE complete_at IS NULL;
                CREATE INDEX builds_builder ON builds(builder, id);
                CREATE INDEX buildsets_submitted ON buildsets(submitted_at);
                """)
        }
        return migrator
    }

    private static let v1 = """
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            revision TEXT NOT NULL,
            branch TEXT NOT NULL,
            repository TEXT NOT NULL,
            project TEXT NOT NULL,
            category TEXT,
            author TEXT NOT NULL,
            committer TEXT,
            comments TEXT NOT NULL,
            files TEXT NOT NULL,            -- JSON array of paths
            when_at REAL NOT NULL,
            source TEXT NOT NULL
        );

        CREATE TABLE poller_heads (
            poller TEXT PRIMARY KEY NOT NULL,
            heads TEXT NOT NULL             -- JSON object branch -> revision
        );

        CREATE TABLE buildsets (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            reason TEXT NOT NULL,
            scheduler TEXT NOT NULL,
            ss_repository TEXT NOT NULL,
            ss_branch TEXT,
            ss_revision TEXT,
            ss_project TEXT NOT NULL,
            properties TEXT NOT NULL,       -- JSON object
            submitted_at REAL NOT NULL
        );

        CREATE TABLE buildset_changes (
            buildset_id INTEGER NOT NULL REFERENCES buildsets(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            change_id INTEGER NOT NULL REFERENCES changes(id),
            PRIMARY KEY (buildset_id, position)
        ) WITHOUT ROWID;
        CREATE INDEX buildset_changes_change ON buildset_changes(change_id);

        -- A request carries its own copy of the source stamp and properties so that the
        -- distributor reads pending requests without a join.
        CREATE TABLE buildrequests (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            buildset_id INTEGER NOT NULL REFERENCES buildsets(id) ON DELETE CASCADE,
            builder TEXT NOT NULL,
            priority INTEGER NOT NULL,
            submitted_at REAL NOT NULL,
            reason TEXT NOT NULL,
            ss_repository TEXT NOT NULL,
            ss_branch TEXT,
            ss_revision TEXT,
            ss_project TEXT NOT NULL,
            properties TEXT NOT NULL,       -- JSON object
            claimed_by TEXT,
            claimed_at REAL,
            complete INTEGER NOT NULL DEFAULT 0,
            results INTEGER,
            complete_at REAL
        );
        -- The distributor's query: only pending rows are indexed, so it stays small.
        CREATE INDEX buildrequests_pending ON buildrequests(submitted_at, id)
            WHERE claimed_by IS NULL AND complete = 0;
        CREATE INDEX buildrequests_buildset ON buildrequests(buildset_id);

        CREATE TABLE builds (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            builder TEXT NOT NULL,
            number INTEGER NOT NULL,
            buildrequest_id INTEGER NOT NULL REFERENCES buildrequests(id) ON DELETE CASCADE,
            worker TEXT NOT NULL,
            master TEXT NOT NULL,
            started_at REAL NOT NULL,
            complete_at REAL,
            results INTEGER,
            state_string TEXT NOT NULL,
            properties TEXT NOT NULL,       -- JSON object
            UNIQUE (builder, number)
        );
        CREATE INDEX builds_request ON builds(buildrequest_id);
        CREATE INDEX builds_started ON builds(started_at);
        CREATE INDEX builds_running ON builds(master) WHERE complete_at IS NULL;

        CREATE TABLE steps (
            build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            name TEXT NOT NULL,
            started_at REAL,
            complete_at REAL,
            results INTEGER,
            state_string TEXT NOT NULL,
            PRIMARY KEY (build_id, number)
        ) WITHOUT ROWID;

        CREATE TABLE logs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
            step INTEGER NOT NULL,
            stream TEXT NOT NULL,           -- LogStream raw value: o, e, h
            text TEXT NOT NULL
        );
        CREATE INDEX logs_read ON logs(build_id, step, id);

        CREATE TABLE workers (
            name TEXT PRIMARY KEY NOT NULL,
            paused INTEGER NOT NULL,
            pause_reason TEXT,
            last_connected REAL,
            info TEXT                       -- JSON WorkerInfo
        );

        CREATE TABLE plugin_state (
            plugin TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,            -- JSON
            PRIMARY KEY (plugin, key)
        ) WITHOUT ROWID;
        """
}
