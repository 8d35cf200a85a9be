import Foundation
import MinibotCore
import MinibotStore
import PostgresNIO

extension PostgresStore {
    public func startBuild(requestID: Int64, master: String, worker: String, at: Date,
                           properties: [String: String]) async throws -> Build? {
        let propertiesText = try StoreJSON.encode(properties, "build properties")
        // The claim, the token, the build number and the build row in one statement: a
        // contender that finds the row locked skips it (nil) instead of waiting and failing
        // later; a request no longer pending matches no row and changes nothing, and so does
        // a claim by a master the reaper declared dead (see `reapExpiredMasters`).
        let rows = try await rows("start a build for request \(requestID)", """
            WITH claimed AS (
                UPDATE buildrequests
                SET claimed_by = \(master), claimed_at = \(at), claim_token = nextval('claim_tokens')
                WHERE id = (SELECT id FROM buildrequests
                            WHERE id = \(requestID) AND claimed_by IS NULL AND NOT complete
                            ORDER BY priority DESC, submitted_at, id
                            FOR UPDATE SKIP LOCKED LIMIT 1)
                  AND claimed_by IS NULL AND NOT complete
                  -- A master declared dead claims nothing until it registers again.
                  AND NOT EXISTS (SELECT 1 FROM masters m WHERE m.name = \(master) AND NOT m.active)
                RETURNING id, builder, claim_token
            ), numbered AS (
                INSERT INTO builder_numbers (builder, last) SELECT builder, 1 FROM claimed
                ON CONFLICT (builder) DO UPDATE SET last = builder_numbers.last + 1
                RETURNING builder, last
            )
            INSERT INTO builds (builder, number, buildrequest_id, worker, master, claim_token, started_at,
                                state_string, properties)
            SELECT c.builder, n.last, c.id, \(worker), \(master), c.claim_token, \(at), 'starting', \(propertiesText)::jsonb
            FROM claimed c JOIN numbered n ON n.builder = c.builder
            RETURNING id, number, builder
            """)
        guard let row = rows.first else { return nil }
        return Build(id: try row["id"].decode(Int64.self), number: try row["number"].decode(Int.self),
                     builderName: try row["builder"].decode(String.self), buildRequestID: requestID,
                     workerName: worker, startedAt: at, stateString: "starting", properties: properties)
    }

    @discardableResult
    public func finishBuild(id: Int64, results: BuildResult, stateString: String, at: Date,
                            properties: [String: String]) async throws -> Bool {
        let propertiesText = try StoreJSON.encode(properties, "build properties")
        // Fenced, in one statement: the request row is changed first (its row lock orders
        // two finishers of one build), and only while it still holds this build's claim
        // (the build's master and token) and the build runs. RETRY releases the claim, any
        // other result completes the request. A second finish, or one after the claim was
        // released elsewhere, finds no row and changes nothing. A RETRY tells the listening
        // masters that the request is pending again (on commit: one statement, one transaction).
        let release: PostgresQuery = results == .retry ? """
            WITH ended AS (
                UPDATE buildrequests r SET claimed_by = NULL, claimed_at = NULL, claim_token = NULL
                FROM builds b
                WHERE b.id = \(id) AND b.complete_at IS NULL AND r.id = b.buildrequest_id
                  AND r.claimed_by = b.master AND r.claim_token = b.claim_token AND NOT r.complete
                RETURNING r.id
            )
            UPDATE builds SET complete_at = \(at), results = \(results.rawValue), state_string = \(stateString),
                              properties = properties || \(propertiesText)::jsonb
            WHERE id = \(id) AND complete_at IS NULL AND EXISTS (SELECT 1 FROM ended)
            RETURNING id, pg_notify(\(Self.requestChannel), 'r:' || (SELECT id FROM ended)) IS NULL AS notified
            """ : """
            WITH ended AS (
                UPDATE buildrequests r SET complete = true, results = \(results.rawValue), complete_at = \(at)
                FROM builds b
                WHERE b.id = \(id) AND b.complete_at IS NULL AND r.id = b.buildrequest_id
                  AND r.claimed_by = b.master AND r.claim_token = b.claim_token AND NOT r.complete
                RETURNING r.id
            )
            UPDATE builds SET complete_at = \(at), results = \(results.rawValue), state_string = \(stateString),
                              properties = properties || \(propertiesText)::jsonb
            WHERE id = \(id) AND complete_at IS NULL AND EXISTS (SELECT 1 FROM ended)
            RETURNING id
            """
        if try await !rows("finish build \(id)", release).isEmpty { return true }
        if try await rows("finish build \(id)", "SELECT 1 FROM builds WHERE id = \(id)").isEmpty {
            throw StoreError("cannot finish build \(id): there is no such build")
        }
        return false
    }

    public func build(id: Int64) async throws -> Build? {
        try await rows("read build \(id)", """
            SELECT \(unescaped: PostgresCoding.buildColumns) FROM builds WHERE id = \(id)
            """).first.map(PostgresCoding.build)
    }

    public func build(builder: String, number: Int) async throws -> Build? {
        try await rows("read build \(builder) #\(number)", """
            SELECT \(unescaped: PostgresCoding.buildColumns) FROM builds WHERE builder = \(builder) AND number = \(number)
            """).first.map(PostgresCoding.build)
    }

    public func builds(_ query: BuildQuery) async throws -> [Build] {
        // Only fixed text and the enum's numbers are spliced in; the builder is a parameter.
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 400, interpolationCount: 5)
        sql.appendLiteral("SELECT \(PostgresCoding.buildColumns) FROM builds WHERE true")
        if let builder = query.builder {
            sql.appendLiteral(" AND builder = ")
            sql.appendInterpolation(builder)
        }
        if let before = query.before {
            sql.appendLiteral(" AND id < ")
            sql.appendInterpolation(before)
        }
        if let complete = query.complete { sql.appendLiteral(complete ? " AND complete_at IS NOT NULL" : " AND complete_at IS NULL") }
        if let codes = query.resultCodes {
            sql.appendLiteral(" AND results = ANY(")
            sql.appendInterpolation(codes)
            sql.appendLiteral("::integer[])")
        }
        sql.appendLiteral(" ORDER BY id DESC")
        sql.appendLiteral(" LIMIT ")
        sql.appendInterpolation(query.limit)
        sql.appendLiteral(" OFFSET ")
        sql.appendInterpolation(query.offset)
        return try await rows("list builds", PostgresQuery(stringInterpolation: sql)).map(PostgresCoding.build)
    }

    public func builds(requestID: Int64) async throws -> [Build] {
        try await rows("list the builds of request \(requestID)", """
            SELECT \(unescaped: PostgresCoding.buildColumns) FROM builds WHERE buildrequest_id = \(requestID) ORDER BY id
            """).map(PostgresCoding.build)
    }

    public func runningBuilds(master: String) async throws -> [Build] {
        // Same WHERE as the partial index builds_running.
        try await rows("list the running builds of master \(master)", """
            SELECT \(unescaped: PostgresCoding.buildColumns) FROM builds
            WHERE master = \(master) AND complete_at IS NULL ORDER BY id
            """).map(PostgresCoding.build)
    }

    public func buildCounts(since: Date) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await rows("count builds per worker", """
            SELECT worker, COUNT(*)::bigint AS count FROM builds WHERE started_at >= \(since) GROUP BY worker
            """) {
            counts[try row["worker"].decode(String.self)] = try row["count"].decode(Int.self)
        }
        return counts
    }
}
