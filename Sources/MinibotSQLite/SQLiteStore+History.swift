import Foundation
import GRDB
import MinibotStore

/// Bulk history and file upkeep, for benchmarks and operators: not part of ``Store``.
extension SQLiteStore {
    /// Adds `count` finished builds, as the master would have recorded them (a buildset, a
    /// completed request, a successful build with one step and a one-line log each), spread
    /// over `builders` and ending just before `before`, in one transaction. Ids and build
    /// numbers continue after the ones already there.
    public func fillHistory(builds count: Int, builders: [String], before: Date) async throws {
        precondition(count >= 0 && !builders.isEmpty, "fillHistory needs builders")
        let names = String(decoding: try JSONEncoder().encode(builders), as: UTF8.self)
        let end = before.timeIntervalSince1970
        try await write("fill the history with \(count) builds") { db in
            let base = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM buildrequests") ?? 0
            let buildBase = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM builds") ?? 0
            let setBase = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM buildsets") ?? 0
            let numberBase = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(number), 0) FROM builds") ?? 0
            try db.execute(sql: "CREATE TEMP TABLE history_names (k INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            defer { try? db.execute(sql: "DROP TABLE temp.history_names") }
            try db.execute(sql: """
                INSERT INTO history_names (k, name) SELECT key, value FROM json_each(?)
                """, arguments: [names])
            let generator = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count))"
            // One second apart, the newest a second before `before`.
            let time = "(\(end) - (\(count) - i) - 1)"
            let builder = "(SELECT name FROM history_names WHERE k = i % \(builders.count))"
            try db.execute(sql: """
                \(generator)
                INSERT INTO buildsets (id, reason, scheduler, ss_repository, ss_branch, ss_revision, ss_project,
                                       properties, submitted_at)
                SELECT \(setBase) + i, 'history', 'force', '/srv/git/history.git', 'main', printf('%040x', i), '',
                       '{}', \(time) FROM n;
                \(generator)
                INSERT INTO buildrequests (id, buildset_id, builder, priority, submitted_at, reason, ss_repository,
                                           ss_branch, ss_revision, ss_project, properties, claimed_by, claimed_at,
                                           complete, results, complete_at)
                SELECT \(base) + i, \(setBase) + i, \(builder), 0, \(time), 'history', '/srv/git/history.git', 'main',
                       printf('%040x', i), '', '{}', 'history', \(time), 1, 0, \(time) + 0.5 FROM n;
                \(generator)
                INSERT INTO builds (id, builder, number, buildrequest_id, worker, master, started_at, complete_at,
                                    results, state_string, properties)
                SELECT \(buildBase) + i, \(builder), \(numberBase) + i, \(base) + i, 'w' || (i % 4), 'history',
                       \(time), \(time) + 0.5, 0, 'build successful', '{}' FROM n;
                \(generator)
                INSERT INTO steps (build_id, number, name, started_at, complete_at, results, state_string)
                SELECT \(buildBase) + i, 0, 'test', \(time), \(time) + 0.5, 0, 'test' FROM n;
                \(generator)
                INSERT INTO logs (build_id, step, stream, text)
                SELECT \(buildBase) + i, 0, 'o', 'ok ' || i || char(10) FROM n;
                """)
        }
    }

    /// Moves everything in the write-ahead log into the database file and truncates the log
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`), so the file's size is the database's.
    public func checkpoint() async throws {
        do {
            // Outside a transaction: SQLite cannot checkpoint from inside one.
            try await database.writeWithoutTransaction { db in
                _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            throw StoreError("cannot checkpoint the database \(path): \(Self.describe(error))")
        }
    }
}
