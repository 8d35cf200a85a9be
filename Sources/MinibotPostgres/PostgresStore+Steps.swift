import Foundation
import MinibotCompression
import MinibotCore
import MinibotStore
import NIOCore
import PostgresNIO

extension PostgresStore {
    /// The fence of every write for a running build: the build runs and its request still
    /// holds the build's claim (master and token). `FOR SHARE` makes a concurrent release
    /// wait for the write (and the write for the release), so none lands after the claim ends.
    /// (SQL text: the id is an integer, written as a literal so the fence composes with any
    /// statement's own parameters.)
    static func holdsClaim(_ buildID: Int64) -> String {
        """
        EXISTS (SELECT 1 FROM builds b JOIN buildrequests r ON r.id = b.buildrequest_id
                WHERE b.id = \(buildID) AND b.complete_at IS NULL
                  AND r.claimed_by = b.master AND r.claim_token = b.claim_token
                FOR SHARE OF r)
        """
    }

    public func startStep(_ step: BuildStep) async throws {
        // An upsert, so that recording the same step start twice is harmless.
        let written = try await rows("start step \(step.number) of build \(step.buildID)", """
            INSERT INTO steps (build_id, number, name, started_at, complete_at, results, state_string)
            SELECT \(step.buildID), \(step.number), \(step.name), \(step.startedAt), \(step.completedAt),
                   \(step.results?.rawValue), \(step.stateString)
            WHERE \(unescaped: Self.holdsClaim(step.buildID))
            ON CONFLICT (build_id, number) DO UPDATE SET
                name = excluded.name, started_at = excluded.started_at, complete_at = excluded.complete_at,
                results = excluded.results, state_string = excluded.state_string
            RETURNING number
            """)
        if written.isEmpty { try await refuse(step.buildID, "start step \(step.number)") }
    }

    public func finishStep(buildID: Int64, number: Int, results: BuildResult, stateString: String,
                           at: Date) async throws {
        let written = try await rows("finish step \(number) of build \(buildID)", """
            UPDATE steps SET complete_at = \(at), results = \(results.rawValue), state_string = \(stateString)
            WHERE build_id = \(buildID) AND number = \(number) AND \(unescaped: Self.holdsClaim(buildID))
            RETURNING number
            """)
        guard written.isEmpty else { return }
        if try await rows("finish step \(number) of build \(buildID)", """
            SELECT 1 FROM steps WHERE build_id = \(buildID) AND number = \(number)
            """).isEmpty {
            throw StoreError("cannot finish step \(number) of build \(buildID): it was never started")
        }
        try await refuse(buildID, "finish step \(number)")
    }

    public func steps(buildID: Int64) async throws -> [BuildStep] {
        try await rows("list the steps of build \(buildID)", """
            SELECT build_id, number, name, started_at, complete_at, results, state_string
            FROM steps WHERE build_id = \(buildID) ORDER BY number
            """).map(PostgresCoding.step)
    }

    public func appendLog(buildID: Int64, step: Int, _ chunks: [LogWrite]) async throws {
        guard !chunks.isEmpty else { return }
        // One statement, so one transaction and one round trip for the whole batch: the fence
        // (holding the request's row in share mode to the commit), then every chunk in order.
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 300 + 60 * chunks.count,
                                                    interpolationCount: 2 + 5 * chunks.count)
        sql.appendLiteral("INSERT INTO logs (build_id, step, stream, text, data, size, format) SELECT ")
        sql.appendInterpolation(buildID)
        sql.appendLiteral(", ")
        sql.appendInterpolation(step)
        sql.appendLiteral(", v.stream, v.text, v.data, v.size, v.format FROM (VALUES ")
        for (n, chunk) in chunks.enumerated() {
            sql.appendLiteral(n == 0 ? "(" : ", (")
            sql.appendInterpolation(n)
            sql.appendLiteral("::integer, ")
            sql.appendInterpolation(chunk.stream.rawValue)
            switch chunk.payload {
            case .text(let text):
                sql.appendLiteral("::text, ")
                sql.appendInterpolation(text)
                sql.appendLiteral("::text, NULL::bytea, NULL::integer, NULL::smallint)")
            case .compressed(let bytes, let size, _):
                sql.appendLiteral("::text, NULL::text, ")
                sql.appendInterpolation(ByteBuffer(bytes: bytes))
                sql.appendLiteral("::bytea, ")
                sql.appendInterpolation(size)
                sql.appendLiteral("::integer, ")
                sql.appendInterpolation(StoredLogFormat.format(of: chunk.payload))
                sql.appendLiteral("::smallint)")
            }
        }
        sql.appendLiteral(") AS v(n, stream, text, data, size, format) WHERE ")
        sql.appendInterpolation(unescaped: Self.holdsClaim(buildID))
        sql.appendLiteral(" ORDER BY v.n RETURNING 1")
        let written = try await rows("append to the log of step \(step) of build \(buildID)",
                                     PostgresQuery(stringInterpolation: sql))
        if written.isEmpty { try await refuse(buildID, "append to the log of step \(step)") }
    }

    public func readLog(buildID: Int64, step: Int, afterChunk: Int64, limit: Int) async throws -> [LogChunk] {
        // One page of the logs_read index: memory stays bounded by `limit` chunks.
        try await rows("read the log of step \(step) of build \(buildID)", """
            SELECT id, stream, text, data, size, format FROM logs
            WHERE build_id = \(buildID) AND step = \(step) AND id > \(afterChunk) ORDER BY id LIMIT \(limit)
            """).map { row in
                let id = try row["id"].decode(Int64.self)
                let text: String
                do {
                    let payload = try StoredLogFormat.payload(
                        size: try row["size"].decode(Int?.self), format: try row["format"].decode(Int?.self),
                        text: { try row["text"].decode(String?.self) ?? "" },
                        data: {
                            var data = try row["data"].decode(ByteBuffer.self)
                            return data.readBytes(length: data.readableBytes) ?? []
                        })
                    text = try LogCompression.text(of: payload)
                } catch {
                    throw StoreError("log chunk \(id) of step \(step) of build \(buildID): \(error)")
                }
                return LogChunk(id: id, stream: LogStream(rawValue: try row["stream"].decode(String.self)) ?? .stdout,
                                text: text)
            }
    }

    public func pruneLogs(endedBefore cutoff: Date, at now: Date) async throws -> LogPruning {
        var total = LogPruning()
        while true {
            // A few builds per transaction, so that no statement holds many rows for long.
            let batch = try await transaction("delete the logs of builds that ended before \(cutoff)") { session in
                let ids = try await session.rows("""
                    SELECT id FROM builds WHERE logs_pruned_at IS NULL AND complete_at < \(cutoff)
                    ORDER BY complete_at LIMIT 50 FOR UPDATE SKIP LOCKED
                    """).map { try $0["id"].decode(Int64.self) }
                guard !ids.isEmpty else { return LogPruning() }
                let chunks = try await session.rows("DELETE FROM logs WHERE build_id = ANY(\(ids)) RETURNING 1").count
                try await session.rows("UPDATE builds SET logs_pruned_at = \(now) WHERE id = ANY(\(ids))")
                return LogPruning(builds: ids.count, chunks: chunks)
            }
            guard batch.builds > 0 else { return total }
            total.builds += batch.builds
            total.chunks += batch.chunks
        }
    }

    public func pruneBuilds(endedBefore cutoff: Date) async throws -> Int {
        var total = 0
        while true {
            // The rule of SQLite's prunableBuildsetsSQL; rows another master is deleting are skipped.
            let deleted = try await transaction("delete the builds that ended before \(cutoff)") { session -> Int? in
                let ids = try await session.rows("""
                    SELECT bs.id FROM buildsets bs
                    WHERE bs.submitted_at < \(cutoff)
                      AND NOT EXISTS (SELECT 1 FROM buildrequests r
                                      WHERE r.buildset_id = bs.id AND (NOT r.complete OR r.complete_at IS NULL OR r.complete_at >= \(cutoff)))
                      AND NOT EXISTS (SELECT 1 FROM buildrequests r JOIN builds b ON b.buildrequest_id = r.id
                                      WHERE r.buildset_id = bs.id
                                        AND NOT EXISTS (SELECT 1 FROM builds n WHERE n.builder = b.builder AND n.id > b.id))
                    ORDER BY bs.submitted_at LIMIT 100 FOR UPDATE OF bs SKIP LOCKED
                    """).map { try $0["id"].decode(Int64.self) }
                guard !ids.isEmpty else { return nil }
                let builds = try await session.rows("""
                    SELECT count(*) AS n FROM builds WHERE buildrequest_id IN (SELECT id FROM buildrequests WHERE buildset_id = ANY(\(ids)))
                    """).first.map { try $0["n"].decode(Int64.self) } ?? 0
                // Requests, builds, steps, logs and change links go by ON DELETE CASCADE.
                try await session.rows("DELETE FROM buildsets WHERE id = ANY(\(ids))")
                return Int(builds)
            }
            guard let deleted else { return total }
            total += deleted
        }
    }

    public func logsPruned(buildID: Int64) async throws -> Date? {
        try await rows("read whether the logs of build \(buildID) were deleted", """
            SELECT logs_pruned_at FROM builds WHERE id = \(buildID)
            """).first.flatMap { try $0["logs_pruned_at"].decode(Date?.self) }
    }

    /// Throws why a fenced write for `buildID` found no row: no such build, or its claim is gone.
    func refuse(_ buildID: Int64, _ what: String) async throws {
        if try await rows(what, "SELECT 1 FROM builds WHERE id = \(buildID)").isEmpty {
            throw StoreError("cannot \(what): there is no build \(buildID)")
        }
        throw StoreError.claimLost(buildID: buildID, what)
    }
}
