import Foundation
import MinibotCore
import MinibotStore
import PostgresNIO

extension PostgresStore {
    public func addBuildset(_ buildset: Buildset, builders: [String],
                            priority: Int) async throws -> (Buildset, [BuildRequest]) {
        let properties = try StoreJSON.encode(buildset.properties, "buildset properties")
        let ss = buildset.sourceStamp
        let submitted = buildset.submittedAt
        // One statement (one transaction, one round trip): the buildset, its changes in order,
        // a request per builder in order, and the wake-up every listening master gets when it
        // commits, never before.
        let rows = try await rows("record a buildset of scheduler \(buildset.schedulerName)", """
            WITH recorded AS (
                INSERT INTO buildsets (reason, scheduler, ss_repository, ss_branch, ss_revision, ss_project,
                                       properties, submitted_at)
                VALUES (\(buildset.reason), \(buildset.schedulerName), \(ss.repository), \(ss.branch), \(ss.revision),
                        \(ss.project), \(properties)::jsonb, \(submitted))
                RETURNING id
            ), linked AS (
                INSERT INTO buildset_changes (buildset_id, position, change_id)
                SELECT recorded.id, c.position - 1, c.change_id
                FROM recorded, unnest(\(buildset.changeIDs)::bigint[]) WITH ORDINALITY AS c(change_id, position)
            ), requested AS (
                INSERT INTO buildrequests (buildset_id, builder, priority, submitted_at, reason, ss_repository,
                                           ss_branch, ss_revision, ss_project, properties)
                SELECT recorded.id, b.builder, \(priority), \(submitted), \(buildset.reason), \(ss.repository),
                       \(ss.branch), \(ss.revision), \(ss.project), \(properties)::jsonb
                FROM recorded, unnest(\(builders)::text[]) WITH ORDINALITY AS b(builder, n)
                ORDER BY b.n
                RETURNING id, builder
            )
            SELECT recorded.id AS buildset, requested.id, requested.builder,
                   (SELECT pg_notify(\(Self.requestChannel), 'b:' || id) FROM recorded) IS NULL AS notified
            FROM recorded LEFT JOIN requested ON true
            ORDER BY requested.id
            """, explain: { error in
                Self.sqlState(error) == "23503"
                    ? StoreError("cannot record the buildset: one of its changes (\(buildset.changeIDs.map(String.init).joined(separator: ", "))) is not in the database")
                    : nil
            })
        var recorded = buildset
        recorded.id = try rows[0]["buildset"].decode(Int64.self)
        let requests = try rows.compactMap { row -> BuildRequest? in
            guard let id = try row["id"].decode(Int64?.self), let builder = try row["builder"].decode(String?.self) else {
                return nil
            }
            return BuildRequest(id: id, buildsetID: recorded.id, builderName: builder, priority: priority,
                                submittedAt: submitted, reason: buildset.reason, sourceStamp: ss,
                                properties: buildset.properties)
        }
        return (recorded, requests)
    }

    public func buildset(id: Int64) async throws -> Buildset? {
        try await transaction("read buildset \(id)") { session in
            guard let row = try await session.rows("""
                SELECT reason, scheduler, ss_repository, ss_branch, ss_revision, ss_project,
                       properties::text AS properties, submitted_at
                FROM buildsets WHERE id = \(id)
                """).first else { return nil }
            let changeIDs = try await session.rows("""
                SELECT change_id FROM buildset_changes WHERE buildset_id = \(id) ORDER BY position
                """).map { try $0["change_id"].decode(Int64.self) }
            return Buildset(id: id, reason: try row["reason"].decode(String.self),
                            schedulerName: try row["scheduler"].decode(String.self),
                            sourceStamp: try PostgresCoding.sourceStamp(row),
                            properties: try PostgresCoding.properties(row),
                            submittedAt: try row["submitted_at"].decode(Date.self), changeIDs: changeIDs)
        }
    }

    public func pendingRequests() async throws -> [BuildRequest] {
        // Same WHERE and ORDER BY as the partial index buildrequests_serving.
        try await rows("list pending build requests", """
            SELECT \(unescaped: PostgresCoding.requestColumns) FROM buildrequests
            WHERE claimed_by IS NULL AND NOT complete
            ORDER BY priority DESC, submitted_at, id
            """).map(PostgresCoding.request)
    }

    public func requests(claimed: Bool?, complete: Bool?, limit: Int) async throws -> [BuildRequest] {
        var conditions: [String] = []
        if let claimed { conditions.append(claimed ? "claimed_by IS NOT NULL" : "claimed_by IS NULL") }
        if let complete { conditions.append(complete ? "complete" : "NOT complete") }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try await rows("list build requests", """
            SELECT \(unescaped: PostgresCoding.requestColumns) FROM buildrequests \(unescaped: filter)
            ORDER BY id DESC LIMIT \(limit)
            """).map(PostgresCoding.request)
    }

    public func requests(buildsetID: Int64) async throws -> [BuildRequest] {
        try await rows("list the requests of buildset \(buildsetID)", """
            SELECT \(unescaped: PostgresCoding.requestColumns) FROM buildrequests WHERE buildset_id = \(buildsetID)
            ORDER BY id
            """).map(PostgresCoding.request)
    }

    public func request(id: Int64) async throws -> BuildRequest? {
        try await rows("read build request \(id)", """
            SELECT \(unescaped: PostgresCoding.requestColumns) FROM buildrequests WHERE id = \(id)
            """).first.map(PostgresCoding.request)
    }

    public func completeRequests(_ ids: [Int64], results: BuildResult, at: Date) async throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        // One conditional statement: a request claimed meanwhile is left alone (SKIP LOCKED:
        // one being claimed right now counts as claimed).
        let completed = try await rows("complete build requests", """
            UPDATE buildrequests SET complete = true, results = \(results.rawValue), complete_at = \(at)
            WHERE id IN (SELECT id FROM buildrequests
                         WHERE id = ANY(\(ids)) AND claimed_by IS NULL AND NOT complete
                         FOR UPDATE SKIP LOCKED)
              AND claimed_by IS NULL AND NOT complete
            RETURNING id
            """).map { try $0["id"].decode(Int64.self) }
        let done = Set(completed)
        return ids.filter(done.contains)
    }

    public func raisePriority(requestID: Int64, to priority: Int) async throws -> Bool {
        try await !rows("raise a build request's priority", """
            UPDATE buildrequests SET priority = \(priority)
            WHERE id = \(requestID) AND priority < \(priority) AND claimed_by IS NULL AND NOT complete
            RETURNING id
            """).isEmpty
    }
}
