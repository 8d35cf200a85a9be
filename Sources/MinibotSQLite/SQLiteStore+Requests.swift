import Foundation
import GRDB
import MinibotCore
import MinibotStore

extension SQLiteStore {
    public func addBuildset(_ buildset: Buildset, builders: [String],
                            priority: Int) async throws -> (Buildset, [BuildRequest]) {
        let properties = try StoreJSON.encode(buildset.properties, "buildset properties")
        return try await write("record a buildset of scheduler \(buildset.schedulerName)") { db in
            let ss = buildset.sourceStamp
            let submitted = StoreCoding.seconds(buildset.submittedAt)
            try db.cachedStatement(sql: """
                INSERT INTO buildsets (reason, scheduler, ss_repository, ss_branch, ss_revision, ss_project,
                                       properties, submitted_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    buildset.reason, buildset.schedulerName, ss.repository, ss.branch, ss.revision, ss.project,
                    properties, submitted,
                ])
            var recorded = buildset
            recorded.id = db.lastInsertedRowID

            let link = try db.cachedStatement(
                sql: "INSERT INTO buildset_changes (buildset_id, position, change_id) VALUES (?, ?, ?)")
            for (position, changeID) in buildset.changeIDs.enumerated() {
                do {
                    try link.execute(arguments: [recorded.id, position, changeID])
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    throw StoreError("cannot record the buildset: change \(changeID) is not in the database")
                }
            }

            let insertRequest = try db.cachedStatement(sql: """
                INSERT INTO buildrequests (buildset_id, builder, priority, submitted_at, reason, ss_repository,
                                           ss_branch, ss_revision, ss_project, properties)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var requests: [BuildRequest] = []
            requests.reserveCapacity(builders.count)
            for builder in builders {
                try insertRequest.execute(arguments: [
                    recorded.id, builder, priority, submitted, buildset.reason, ss.repository, ss.branch,
                    ss.revision, ss.project, properties,
                ])
                requests.append(BuildRequest(
                    id: db.lastInsertedRowID, buildsetID: recorded.id, builderName: builder, priority: priority,
                    submittedAt: buildset.submittedAt, reason: buildset.reason, sourceStamp: ss,
                    properties: buildset.properties))
            }
            return (recorded, requests)
        }
    }

    public func buildset(id: Int64) async throws -> Buildset? {
        try await read("read buildset \(id)") { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT reason, scheduler, ss_repository, ss_branch, ss_revision, ss_project, properties,
                       submitted_at
                FROM buildsets WHERE id = ?
                """), arguments: [id]) else { return nil }
            let changeIDs = try Int64.fetchAll(db.cachedStatement(
                sql: "SELECT change_id FROM buildset_changes WHERE buildset_id = ? ORDER BY position"),
                arguments: [id])
            return Buildset(id: id, reason: row["reason"], schedulerName: row["scheduler"],
                            sourceStamp: StoreCoding.sourceStamp(row), properties: try StoreCoding.properties(row),
                            submittedAt: StoreCoding.date(row, "submitted_at"), changeIDs: changeIDs)
        }
    }

    public func pendingRequests() async throws -> [BuildRequest] {
        try await read("list pending build requests") { db in
            // Same WHERE and ORDER BY as the partial index buildrequests_serving, so SQLite
            // reads the index in order and sorts nothing. Priority first: a restarted master
            // must see its queue in the order it served it (DistributorPolicy.servesBefore).
            let statement = try db.cachedStatement(sql: """
                SELECT \(StoreCoding.requestColumns) FROM buildrequests
                WHERE claimed_by IS NULL AND complete = 0
                ORDER BY priority DESC, submitted_at, id
                """)
            return try Row.fetchAll(statement).map(StoreCoding.request)
        }
    }

    public func requests(claimed: Bool?, complete: Bool?, limit: Int) async throws -> [BuildRequest] {
        let sql = Self.requestsSQL(claimed: claimed, complete: complete)
        return try await read("list build requests") { db in
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [limit]).map(StoreCoding.request)
        }
    }

    /// The query of ``requests(claimed:complete:limit:)``; its one argument is the limit.
    static func requestsSQL(claimed: Bool?, complete: Bool?) -> String {
        var conditions: [String] = []
        if let claimed { conditions.append(claimed ? "claimed_by IS NOT NULL" : "claimed_by IS NULL") }
        if let complete { conditions.append(complete ? "complete = 1" : "complete = 0") }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return "SELECT \(StoreCoding.requestColumns) FROM buildrequests \(requestIndex(claimed: claimed, complete: complete)) "
            + "\(filter) ORDER BY id DESC LIMIT ?"
    }

    /// The index a request list walks, newest first: the small set of open requests when it
    /// wants incomplete ones, the unclaimed ones when it wants those; nil (the table itself)
    /// for filters most of a history passes. Named, not left to the planner: without
    /// statistics SQLite took the unclaimed index for "pending", which holds every cancelled
    /// request too.
    static func requestIndex(claimed: Bool?, complete: Bool?) -> String {
        if complete == false { return "INDEXED BY buildrequests_open" }
        if claimed == false { return "INDEXED BY buildrequests_unclaimed" }
        return ""
    }

    public func requests(buildsetID: Int64) async throws -> [BuildRequest] {
        try await read("list the requests of buildset \(buildsetID)") { db in
            let statement = try db.cachedStatement(
                sql: "SELECT \(StoreCoding.requestColumns) FROM buildrequests WHERE buildset_id = ? ORDER BY id")
            return try Row.fetchAll(statement, arguments: [buildsetID]).map(StoreCoding.request)
        }
    }

    public func request(id: Int64) async throws -> BuildRequest? {
        try await read("read build request \(id)") { db in
            let statement = try db.cachedStatement(
                sql: "SELECT \(StoreCoding.requestColumns) FROM buildrequests WHERE id = ?")
            return try Row.fetchOne(statement, arguments: [id]).map(StoreCoding.request)
        }
    }

    public func completeRequests(_ ids: [Int64], results: BuildResult, at: Date) async throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        return try await write("complete build requests") { db in
            // One conditional UPDATE per id: a request claimed meanwhile is left alone.
            let statement = try db.cachedStatement(sql: """
                UPDATE buildrequests SET complete = 1, results = ?, complete_at = ?, claimed_by = NULL,
                                         claimed_at = NULL
                WHERE id = ? AND claimed_by IS NULL AND complete = 0
                """)
            var completed: [Int64] = []
            for id in ids {
                try statement.execute(arguments: [results.rawValue, StoreCoding.seconds(at), id])
                if db.changesCount == 1 { completed.append(id) }
            }
            return completed
        }
    }

    public func raisePriority(requestID: Int64, to priority: Int) async throws -> Bool {
        try await write("raise a build request's priority") { db in
            // Conditional, like a claim: a request claimed or completed meanwhile is left alone.
            try db.execute(sql: """
                UPDATE buildrequests SET priority = ?
                WHERE id = ? AND priority < ? AND claimed_by IS NULL AND complete = 0
                """, arguments: [priority, requestID, priority])
            return db.changesCount == 1
        }
    }
}
