import Foundation
import GRDB
import MinibotCore
import MinibotStore

extension SQLiteStore {
    public func startBuild(requestID: Int64, master: String, worker: String, at: Date,
                           properties: [String: String]) async throws -> Build? {
        let propertiesText = try StoreJSON.encode(properties, "build properties")
        let started = StoreCoding.seconds(at)
        return try await write("start a build for request \(requestID)") { db in
            // The claim is this one conditional statement: whoever changes the row owns the
            // request. Reading first and writing after would let two masters both claim it.
            try db.cachedStatement(sql: """
                UPDATE buildrequests SET claimed_by = ?, claimed_at = ?
                WHERE id = ? AND claimed_by IS NULL AND complete = 0
                """).execute(arguments: [master, started, requestID])
            guard db.changesCount == 1 else { return nil }

            guard let builder = try String.fetchOne(
                db.cachedStatement(sql: "SELECT builder FROM buildrequests WHERE id = ?"), arguments: [requestID])
            else { throw StoreError("build request \(requestID) vanished while it was being claimed") }
            // Uses the UNIQUE (builder, number) index; the unique constraint also guards a
            // future shared database where two writers could compute the same number.
            let number = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COALESCE(MAX(number), 0) + 1 FROM builds WHERE builder = ?"),
                arguments: [builder]) ?? 1
            try db.cachedStatement(sql: """
                INSERT INTO builds (builder, number, buildrequest_id, worker, master, started_at, state_string,
                                    properties)
                VALUES (?, ?, ?, ?, ?, ?, 'starting', ?)
                """).execute(arguments: [builder, number, requestID, worker, master, started, propertiesText])
            return Build(id: db.lastInsertedRowID, number: number, builderName: builder, buildRequestID: requestID,
                         workerName: worker, startedAt: at, stateString: "starting", properties: properties)
        }
    }

    @discardableResult
    public func finishBuild(id: Int64, results: BuildResult, stateString: String, at: Date,
                            properties: [String: String]) async throws -> Bool {
        let propertiesText = try StoreJSON.encode(properties, "build properties")
        let completed = StoreCoding.seconds(at)
        return try await write("finish build \(id)") { db in
            // Only a running build finishes: a second finish (restart recovery racing a late
            // worker message) must not release a claim that a newer build now holds.
            try db.cachedStatement(sql: """
                UPDATE builds SET complete_at = ?, results = ?, state_string = ?,
                                  properties = json_patch(properties, ?)
                WHERE id = ? AND complete_at IS NULL
                """).execute(arguments: [completed, results.rawValue, stateString, propertiesText, id])
            let requestID = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT buildrequest_id FROM builds WHERE id = ?"), arguments: [id])
            guard let requestID else { throw StoreError("cannot finish build \(id): there is no such build") }
            // One file, one writer: a build holds its claim exactly while it runs.
            guard db.changesCount == 1 else { return false }

            if results == .retry {
                // Pending again with its original submitted time and priority, so it keeps
                // its place in the queue.
                try db.cachedStatement(sql: """
                    UPDATE buildrequests SET claimed_by = NULL, claimed_at = NULL WHERE id = ? AND complete = 0
                    """).execute(arguments: [requestID])
            } else {
                try db.cachedStatement(sql: """
                    UPDATE buildrequests SET complete = 1, results = ?, complete_at = ? WHERE id = ? AND complete = 0
                    """).execute(arguments: [results.rawValue, completed, requestID])
            }
            return true
        }
    }

    public func build(id: Int64) async throws -> Build? {
        try await read("read build \(id)") { db in
            let statement = try db.cachedStatement(sql: "SELECT \(StoreCoding.buildColumns) FROM builds WHERE id = ?")
            return try Row.fetchOne(statement, arguments: [id]).map(StoreCoding.build)
        }
    }

    public func build(builder: String, number: Int) async throws -> Build? {
        try await read("read build \(builder) #\(number)") { db in
            let statement = try db.cachedStatement(
                sql: "SELECT \(StoreCoding.buildColumns) FROM builds WHERE builder = ? AND number = ?")
            return try Row.fetchOne(statement, arguments: [builder, number]).map(StoreCoding.build)
        }
    }

    public func builds(_ query: BuildQuery) async throws -> [Build] {
        try await read("list builds") { db in
            var arguments: StatementArguments = []
            if let builder = query.builder { _ = arguments.append(contentsOf: [builder]) }
            if let before = query.before { _ = arguments.append(contentsOf: [before]) }
            _ = arguments.append(contentsOf: [query.limit, query.offset])
            return try Row.fetchAll(try db.cachedStatement(sql: Self.buildsSQL(query)), arguments: arguments)
                .map(StoreCoding.build)
        }
    }

    /// The statement of ``builds(_:)``: its arguments are the builder and `before` (when the
    /// query has them), the limit and the offset. Running builds are read through
    /// `builds_open` (named: without statistics SQLite may walk the whole table by rowid
    /// instead); one builder's through `builds_builder`; the rest newest first by rowid,
    /// stopping at the page's end.
    static func buildsSQL(_ query: BuildQuery) -> String {
        var conditions: [String] = []
        if query.builder != nil { conditions.append("builder = ?") }
        if query.before != nil { conditions.append("id < ?") }
        if let complete = query.complete { conditions.append(complete ? "complete_at IS NOT NULL" : "complete_at IS NULL") }
        if let codes = query.resultCodes { conditions.append("results IN (\(codes.map(String.init).joined(separator: ", ")))") }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let index = query.complete == false ? " INDEXED BY builds_open" : query.builder != nil ? " INDEXED BY builds_builder" : ""
        return "SELECT \(StoreCoding.buildColumns) FROM builds\(index)\(filter) ORDER BY id DESC LIMIT ? OFFSET ?"
    }

    public func builds(requestID: Int64) async throws -> [Build] {
        try await read("list the builds of request \(requestID)") { db in
            let statement = try db.cachedStatement(
                sql: "SELECT \(StoreCoding.buildColumns) FROM builds WHERE buildrequest_id = ? ORDER BY id")
            return try Row.fetchAll(statement, arguments: [requestID]).map(StoreCoding.build)
        }
    }

    public func runningBuilds(master: String) async throws -> [Build] {
        try await read("list the running builds of master \(master)") { db in
            // Same WHERE as the partial index builds_running.
            let statement = try db.cachedStatement(sql: """
                SELECT \(StoreCoding.buildColumns) FROM builds WHERE master = ? AND complete_at IS NULL ORDER BY id
                """)
            return try Row.fetchAll(statement, arguments: [master]).map(StoreCoding.build)
        }
    }

    public func buildCounts(since: Date) async throws -> [String: Int] {
        try await read("count builds per worker") { db in
            let statement = try db.cachedStatement(
                sql: "SELECT worker, COUNT(*) FROM builds WHERE started_at >= ? GROUP BY worker")
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(statement, arguments: [StoreCoding.seconds(since)]) {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }
}
