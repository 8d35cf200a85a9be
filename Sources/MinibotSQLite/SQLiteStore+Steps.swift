import Foundation
import GRDB
import MinibotCompression
import MinibotCore
import MinibotStore

extension SQLiteStore {
    /// The fence of the writes for a build: it must exist and still run (in one SQLite file a
    /// build holds its claim exactly while it runs; only its finish releases it).
    static func checkHoldsClaim(_ db: Database, _ buildID: Int64, _ what: String) throws {
        let running = try Bool.fetchOne(db.cachedStatement(sql: "SELECT complete_at IS NULL FROM builds WHERE id = ?"),
                                        arguments: [buildID])
        guard let running else { throw StoreError("cannot \(what): there is no build \(buildID)") }
        if !running { throw StoreError.claimLost(buildID: buildID, what) }
    }

    public func startStep(_ step: BuildStep) async throws {
        try await write("start step \(step.number) of build \(step.buildID)") { db in
            try Self.checkHoldsClaim(db, step.buildID, "start step \(step.number)")
            // An upsert, so that recording the same step start twice is harmless.
            do {
                try db.cachedStatement(sql: """
                    INSERT INTO steps (build_id, number, name, started_at, complete_at, results, state_string)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (build_id, number) DO UPDATE SET
                        name = excluded.name, started_at = excluded.started_at, complete_at = excluded.complete_at,
                        results = excluded.results, state_string = excluded.state_string
                    """).execute(arguments: [
                        step.buildID, step.number, step.name, StoreCoding.seconds(step.startedAt),
                        StoreCoding.seconds(step.completedAt), step.results?.rawValue, step.stateString,
                    ])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
                throw StoreError("cannot start step \(step.number): there is no build \(step.buildID)")
            }
        }
    }

    public func finishStep(buildID: Int64, number: Int, results: BuildResult, stateString: String,
                           at: Date) async throws {
        try await write("finish step \(number) of build \(buildID)") { db in
            try Self.checkHoldsClaim(db, buildID, "finish step \(number)")
            try db.cachedStatement(sql: """
                UPDATE steps SET complete_at = ?, results = ?, state_string = ? WHERE build_id = ? AND number = ?
                """).execute(arguments: [StoreCoding.seconds(at), results.rawValue, stateString, buildID, number])
            guard db.changesCount == 1 else {
                throw StoreError("cannot finish step \(number) of build \(buildID): it was never started")
            }
        }
    }

    public func steps(buildID: Int64) async throws -> [BuildStep] {
        try await read("list the steps of build \(buildID)") { db in
            let statement = try db.cachedStatement(sql: """
                SELECT build_id, number, name, started_at, complete_at, results, state_string
                FROM steps WHERE build_id = ? ORDER BY number
                """)
            return try Row.fetchAll(statement, arguments: [buildID]).map(StoreCoding.step)
        }
    }

    public func appendLog(buildID: Int64, step: Int, _ chunks: [LogWrite]) async throws {
        guard !chunks.isEmpty else { return }
        try await write("append to the log of step \(step) of build \(buildID)") { db in
            try Self.checkHoldsClaim(db, buildID, "append to the log of step \(step)")
            do {
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO logs (build_id, step, stream, text, size, format) VALUES (?, ?, ?, ?, ?, ?)
                    """)
                for chunk in chunks {
                    switch chunk.payload {
                    case .text(let text):
                        try insert.execute(arguments: [buildID, step, chunk.stream.rawValue, text, nil, nil])
                    case .compressed(let bytes, let size, _):
                        try insert.execute(arguments: [buildID, step, chunk.stream.rawValue, Data(bytes), size,
                                                       StoredLogFormat.format(of: chunk.payload)])
                    }
                }
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
                throw StoreError("cannot append to a log: there is no build \(buildID)")
            }
        }
    }

    public func readLog(buildID: Int64, step: Int, afterChunk: Int64, limit: Int) async throws -> [LogChunk] {
        try await read("read the log of step \(step) of build \(buildID)") { db in
            // One page of the logs_read index: memory stays bounded by `limit` chunks.
            let statement = try db.cachedStatement(sql: """
                SELECT id, stream, text, size, format FROM logs WHERE build_id = ? AND step = ? AND id > ? ORDER BY id LIMIT ?
                """)
            return try Row.fetchAll(statement, arguments: [buildID, step, afterChunk, limit]).map { row in
                let text: String
                do {
                    let payload = try StoredLogFormat.payload(size: row[3], format: row[4], text: { row[2] },
                                                              data: { [UInt8](row[2] as Data) })
                    text = try LogCompression.text(of: payload)
                } catch {
                    throw StoreError("log chunk \(row[0] as Int64) of step \(step) of build \(buildID): \(error)")
                }
                return LogChunk(id: row[0], stream: LogStream(rawValue: row[1]) ?? .stdout, text: text)
            }
        }
    }

    public func pruneLogs(endedBefore cutoff: Date, at now: Date) async throws -> LogPruning {
        var total = LogPruning()
        while true {
            let batch = try await write("delete the logs of builds that ended before \(cutoff)") { db -> LogPruning in
                let ids = try Int64.fetchAll(db, sql: """
                    SELECT id FROM builds WHERE logs_pruned_at IS NULL AND complete_at < ? ORDER BY complete_at LIMIT 50
                    """, arguments: [cutoff.timeIntervalSince1970])
                guard !ids.isEmpty else { return LogPruning() }
                let list = ids.map(String.init).joined(separator: ",")
                try db.execute(sql: "DELETE FROM logs WHERE build_id IN (\(list))")
                let chunks = db.changesCount
                try db.execute(sql: "UPDATE builds SET logs_pruned_at = ? WHERE id IN (\(list))",
                               arguments: [now.timeIntervalSince1970])
                return LogPruning(builds: ids.count, chunks: chunks)
            }
            guard batch.builds > 0 else { return total }
            total.builds += batch.builds
            total.chunks += batch.chunks
        }
    }

    public func logsPruned(buildID: Int64) async throws -> Date? {
        try await read("read whether the logs of build \(buildID) were deleted") { db in
            try Double.fetchOne(db, sql: "SELECT logs_pruned_at FROM builds WHERE id = ?", arguments: [buildID])
                .map { Date(timeIntervalSince1970: $0) }
        }
    }
}

extension SQLiteStore {
    /// Buildsets deleted in one transaction.
    static let pruneBatch = 100

    /// The buildsets ``pruneBuilds(endedBefore:)`` may delete, oldest first: submitted before
    /// the cutoff (`buildsets_submitted`), every request complete before it, and none of their
    /// builds the newest of its builder (a probe of `builds_builder` each). Arguments: the
    /// cutoff twice, then the limit.
    static let prunableBuildsetsSQL = """
        SELECT bs.id FROM buildsets bs
        WHERE bs.submitted_at < ?
          AND NOT EXISTS (SELECT 1 FROM buildrequests r
                          WHERE r.buildset_id = bs.id AND (r.complete = 0 OR r.complete_at IS NULL OR r.complete_at >= ?))
          AND NOT EXISTS (SELECT 1 FROM buildrequests r JOIN builds b ON b.buildrequest_id = r.id
                          WHERE r.buildset_id = bs.id
                            AND NOT EXISTS (SELECT 1 FROM builds n WHERE n.builder = b.builder AND n.id > b.id))
        ORDER BY bs.submitted_at LIMIT ?
        """

    public func pruneBuilds(endedBefore cutoff: Date) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await write("delete the builds that ended before \(cutoff)") { db -> Int? in
                let t = cutoff.timeIntervalSince1970
                let ids = try Int64.fetchAll(db.cachedStatement(sql: Self.prunableBuildsetsSQL), arguments: [t, t, Self.pruneBatch])
                guard !ids.isEmpty else { return nil }
                let list = ids.map(String.init).joined(separator: ",")
                let builds = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM builds WHERE buildrequest_id IN (SELECT id FROM buildrequests WHERE buildset_id IN (\(list)))
                    """) ?? 0
                // Requests, their builds, steps and logs, and the buildset's change links go by
                // ON DELETE CASCADE.
                try db.execute(sql: "DELETE FROM buildsets WHERE id IN (\(list))")
                return builds
            }
            guard let deleted else { return total }
            total += deleted
        }
    }

    public func reclaimSpace(pages: Int) async throws -> Int {
        try await write("give freed space back") { db in
            // Only a file made with auto_vacuum = INCREMENTAL (2) can; an older one reuses its
            // free pages instead.
            guard try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") == 2 else { return 0 }
            let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            guard free > 0 else { return 0 }
            let count = min(free, max(1, pages))
            try db.execute(sql: "PRAGMA incremental_vacuum(\(count))")
            return count
        }
    }
}
