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
}
