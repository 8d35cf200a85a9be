/// The PostgreSQL schema of ``PostgresStore``, as numbered migrations.
///
/// Append-only, like SQLite's: a released migration is never edited, a change is a new one.
/// `minibot_schema` records each applied version; the store applies the missing ones in one
/// transaction under an advisory lock, so masters starting together migrate once. Times are
/// `timestamptz` (microseconds), maps and lists `jsonb`, compressed log chunks `bytea`.
enum PostgresSchema {
    /// A migration: its version, what it does, and its statements (one per query: the
    /// extended protocol runs one statement at a time).
    struct Migration {
        var version: Int
        var description: String
        var statements: [String]
    }

    /// The advisory lock key migrations hold ("minibot" in ASCII).
    static let migrationLock: Int64 = 0x6D_69_6E_69_62_6F_74

    /// The advisory lock key the reaper holds for its transaction ("reaper" in ASCII).
    static let reaperLock: Int64 = 0x72_65_61_70_65_72

    static let versionTable = """
        CREATE TABLE IF NOT EXISTS minibot_schema (
            version integer PRIMARY KEY,
            description text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """

    static var latest: Int { migrations.last?.version ?? 0 }

    static let migrations: [Migration] = [
        Migration(version: 1, description: "changes, buildsets, requests with fenced claims, builds, steps, logs, workers, plugins",
                  statements: v1),
        Migration(version: 2, description: "masters: liveness leases on the database clock", statements: v2),
        Migration(version: 3, description: "jobs: schedulers and pollers held by one master at a time", statements: v3),
        Migration(version: 4, description: "a format number per compressed log chunk", statements: v4),
        Migration(version: 5, description: "request lists indexed by what they filter on", statements: v5),
        Migration(version: 6, description: "events: each master's stream, read by the others", statements: v6),
        Migration(version: 7, description: "build lists and the janitor's buildsets indexed", statements: v7),
    ]

    private static let v7 = [
        // builds(_:): the few running builds of any history, and one builder's, newest first
        // and from any keyset position (`id < $n`).
        "CREATE INDEX builds_open ON builds(id) WHERE complete_at IS NULL",
        "CREATE INDEX builds_builder ON builds(builder, id)",
        // pruneBuilds: the oldest buildsets first.
        "CREATE INDEX buildsets_submitted ON buildsets(submitted_at)",
    ]

    private static let v6 = [
        // A master's events are numbered by its row: the UPDATE that takes the numbers locks
        // the row to the commit, so one master's events commit in the order of their numbers
        // and a reader that has seq N of a master has everything of it up to N.
        "ALTER TABLE masters ADD COLUMN event_seq bigint NOT NULL DEFAULT 0",
        """
        CREATE TABLE events (
            master_id bigint NOT NULL REFERENCES masters(id),
            seq bigint NOT NULL,
            at timestamptz NOT NULL,
            type text NOT NULL,
            fields jsonb NOT NULL,
            PRIMARY KEY (master_id, seq)
        )
        """,
    ]

    private static let v5 = [
        // requests(claimed:complete:) reads newest first; these keep only the rows that few of
        // a long history pass, so a page costs its length (the same indexes as SQLite's v6).
        "CREATE INDEX buildrequests_open ON buildrequests(id) WHERE NOT complete",
        "CREATE INDEX buildrequests_unclaimed ON buildrequests(id) WHERE claimed_by IS NULL",
    ]

    private static let v4 = [
        // NULL with a size: zlib, what version 1 and 2 wrote. Otherwise LogCodec.format (2: zstd).
        "ALTER TABLE logs ADD COLUMN format smallint",
        // Chunks arrive compressed: out of line, without TOAST's own (pglz) attempt at it.
        "ALTER TABLE logs ALTER COLUMN data SET STORAGE EXTERNAL",
    ]

    private static let v3 = [
        // A scheduler or poller (`scheduler:NAME`, `poller:NAME`) runs on the master that holds
        // its row until `expires_at` (the server's clock); renewed with each heartbeat, taken
        // over by another master once it expires or its master is reaped.
        """
        CREATE TABLE jobs (
            name text PRIMARY KEY,
            master text NOT NULL,
            expires_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX jobs_master ON jobs(master)",
    ]

    private static let v2 = [
        // One row per master name; a new run (or a run back from the dead) bumps the
        // generation, and a heartbeat names the generation it holds. All times are the
        // server's now(), never a master's clock.
        """
        CREATE TABLE masters (
            id bigserial PRIMARY KEY,
            name text NOT NULL UNIQUE,
            generation bigint NOT NULL,
            heartbeat_at timestamptz NOT NULL,
            lease_expires_at timestamptz NOT NULL,
            config_hash text,
            active boolean NOT NULL
        )
        """,
        "CREATE INDEX masters_live ON masters(lease_expires_at) WHERE active",
        "CREATE INDEX buildrequests_claimed ON buildrequests(claimed_by) WHERE claimed_by IS NOT NULL AND NOT complete",
    ]

    private static let v1 = [
        """
        CREATE TABLE changes (
            id bigserial PRIMARY KEY,
            revision text NOT NULL,
            branch text NOT NULL,
            repository text NOT NULL,
            project text NOT NULL,
            category text,
            author text NOT NULL,
            committer text,
            comments text NOT NULL,
            files jsonb NOT NULL,
            when_at timestamptz NOT NULL,
            source text NOT NULL
        )
        """,
        "CREATE TABLE poller_heads (poller text PRIMARY KEY, heads jsonb NOT NULL)",
        """
        CREATE TABLE buildsets (
            id bigserial PRIMARY KEY,
            reason text NOT NULL,
            scheduler text NOT NULL,
            ss_repository text NOT NULL,
            ss_branch text,
            ss_revision text,
            ss_project text NOT NULL,
            properties jsonb NOT NULL,
            submitted_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE buildset_changes (
            buildset_id bigint NOT NULL REFERENCES buildsets(id) ON DELETE CASCADE,
            position integer NOT NULL,
            change_id bigint NOT NULL REFERENCES changes(id),
            PRIMARY KEY (buildset_id, position)
        )
        """,
        "CREATE INDEX buildset_changes_change ON buildset_changes(change_id)",
        // Every claim draws a new token: a write that names an older token finds no row.
        "CREATE SEQUENCE claim_tokens",
        """
        CREATE TABLE buildrequests (
            id bigserial PRIMARY KEY,
            buildset_id bigint NOT NULL REFERENCES buildsets(id) ON DELETE CASCADE,
            builder text NOT NULL,
            priority integer NOT NULL,
            submitted_at timestamptz NOT NULL,
            reason text NOT NULL,
            ss_repository text NOT NULL,
            ss_branch text,
            ss_revision text,
            ss_project text NOT NULL,
            properties jsonb NOT NULL,
            claimed_by text,
            claimed_at timestamptz,
            claim_token bigint,
            complete boolean NOT NULL DEFAULT false,
            results integer,
            complete_at timestamptz,
            CHECK ((claimed_by IS NULL) = (claim_token IS NULL))
        )
        """,
        // The claim's and the distributor's query: pending rows only, in serving order.
        """
        CREATE INDEX buildrequests_serving ON buildrequests(priority DESC, submitted_at, id)
            WHERE claimed_by IS NULL AND NOT complete
        """,
        "CREATE INDEX buildrequests_buildset ON buildrequests(buildset_id)",
        // Build numbers per builder: the row lock of the upsert serializes two masters
        // numbering builds of one builder (MAX(number) + 1 would race).
        "CREATE TABLE builder_numbers (builder text PRIMARY KEY, last integer NOT NULL)",
        """
        CREATE TABLE builds (
            id bigserial PRIMARY KEY,
            builder text NOT NULL,
            number integer NOT NULL,
            buildrequest_id bigint NOT NULL REFERENCES buildrequests(id) ON DELETE CASCADE,
            worker text NOT NULL,
            master text NOT NULL,
            claim_token bigint NOT NULL,
            started_at timestamptz NOT NULL,
            complete_at timestamptz,
            results integer,
            state_string text NOT NULL,
            properties jsonb NOT NULL,
            logs_pruned_at timestamptz,
            UNIQUE (builder, number)
        )
        """,
        "CREATE INDEX builds_request ON builds(buildrequest_id)",
        "CREATE INDEX builds_started ON builds(started_at)",
        "CREATE INDEX builds_running ON builds(master) WHERE complete_at IS NULL",
        "CREATE INDEX builds_unpruned ON builds(complete_at) WHERE logs_pruned_at IS NULL",
        """
        CREATE TABLE steps (
            build_id bigint NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
            number integer NOT NULL,
            name text NOT NULL,
            started_at timestamptz,
            complete_at timestamptz,
            results integer,
            state_string text NOT NULL,
            PRIMARY KEY (build_id, number)
        )
        """,
        // `text` holds a text chunk; `data` (with `size`, the inflated length) a zlib one.
        """
        CREATE TABLE logs (
            id bigserial PRIMARY KEY,
            build_id bigint NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
            step integer NOT NULL,
            stream text NOT NULL,
            text text,
            data bytea,
            size integer
        )
        """,
        "CREATE INDEX logs_read ON logs(build_id, step, id)",
        """
        CREATE TABLE workers (
            name text PRIMARY KEY,
            paused boolean NOT NULL,
            pause_reason text,
            last_connected timestamptz,
            info jsonb
        )
        """,
        """
        CREATE TABLE plugin_state (
            plugin text NOT NULL,
            key text NOT NULL,
            value jsonb NOT NULL,
            PRIMARY KEY (plugin, key)
        )
        """,
    ]
}
