import GRDB

/// Read-only views of the schema, for tests and diagnostics (`@testable`).
extension SQLiteStore {
    /// The identifiers of the migrations applied to this database, in order.
    func appliedMigrations() async throws -> [String] {
        let migrator = SQLiteSchema.migrator
        return try await read("list applied migrations") { try migrator.appliedIdentifiers($0).sorted() }
    }

    /// The names of the tables the schema made (GRDB's own bookkeeping excluded).
    func tableNames() async throws -> [String] {
        try await read("list tables") { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master
                WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name
                """)
        }
    }

    /// The value of a pragma on a connection of this store, e.g. `journal_mode`.
    func pragma(_ name: String) async throws -> String? {
        try await read("read pragma \(name)") { try String.fetchOne($0, sql: "PRAGMA \(name)") }
    }

    /// What `EXPLAIN QUERY PLAN` says of `sql` (its parameters unbound): one line per step.
    func queryPlan(_ sql: String) async throws -> [String] {
        try await read("explain a query") { db in
            // Every `?` bound to NULL: the plan does not depend on the values.
            let nulls = Array(repeating: DatabaseValue.null, count: sql.filter { $0 == "?" }.count)
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(nulls))
                .map { $0["detail"] as String }
        }
    }

    /// Makes a database at `path` as an older Minibot left it: the schema up to the migration
    /// `identifier` only, then `sql` run in it. Opening a store on it afterwards migrates it.
    static func makeOlderDatabase(at path: String, upTo identifier: String, sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try SQLiteSchema.migrator.migrate(queue, upTo: identifier)
        try queue.write { try $0.execute(sql: sql) }
    }

    /// Sets the format number of every stored compressed chunk (to make one no version knows).
    func rewriteLogFormats(to format: Int) async throws {
        try await write("rewrite log formats") { try $0.execute(sql: "UPDATE logs SET format = ? WHERE size IS NOT NULL", arguments: [format]) }
    }
}
