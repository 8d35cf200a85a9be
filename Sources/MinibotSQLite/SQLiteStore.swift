import Foundation
import GRDB
import MinibotCore
import MinibotStore
import Synchronization

/// The embedded default ``Store``: one SQLite file through GRDB.
///
/// A file store is a `DatabasePool` in WAL mode (readers never wait for the writer),
/// `synchronous = NORMAL` (a power cut may lose the last commits but never corrupts the
/// file) and a busy timeout so a second process sharing the file waits instead of failing.
/// Every method is one transaction; writes are serialized by GRDB's writer queue, off the
/// cooperative thread pool. Safe to call from any task.
public final class SQLiteStore: Store {
    /// `DatabasePool` or `DatabaseQueue`; both are `Sendable`.
    let database: any DatabaseWriter
    /// The file, or `:memory:`; named in every error.
    public let path: String
    /// Statements run on every connection, for ``statistics()``.
    private let counter = StatementCounter()

    final class StatementCounter: Sendable {
        let value = Atomic<Int64>(0)
    }

    /// Opens (creating it if needed) the database file at `path` and migrates it to the
    /// current schema.
    public init(path: String, busyTimeout: TimeInterval = 10) throws {
        self.path = path
        var configuration = Self.configuration(busyTimeout: busyTimeout, counter: counter)
        configuration.label = "minibot-store"
        do {
            database = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError("cannot open the database \(path): \(Self.describe(error)); "
                + "check that its directory exists and is writable")
        }
        identity = FileIdentity(path: path)
        try migrate()
    }

    /// The file opened (device and inode), to notice it being deleted or replaced.
    private let identity: FileIdentity?

    /// Nil while `path` is still the file this store opened.
    public func health() async -> String? {
        guard let identity else { return nil }
        guard let now = FileIdentity(path: path) else {
            return "the database file \(path) was deleted under the running master"
        }
        return now == identity ? nil : "the database file \(path) was replaced under the running master"
    }

    public func statistics() async -> StoreStatistics {
        func size(_ file: String) -> Int64 {
            ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        let bytes: Int64? = path == ":memory:" ? nil : size(path) + size(path + "-wal")
        return StoreStatistics(databaseBytes: bytes, statements: counter.value.load(ordering: .relaxed))
    }

    /// A private in-memory database, for tests: gone when the store is released.
    public static func inMemory() throws -> SQLiteStore {
        try SQLiteStore(memory: ())
    }

    private init(memory: Void) throws {
        path = ":memory:"
        identity = nil
        do {
            database = try DatabaseQueue(configuration: Self.configuration(busyTimeout: 0, counter: counter))
        } catch {
            throw StoreError("cannot create an in-memory database: \(Self.describe(error))")
        }
        try migrate()
    }

    private static func configuration(busyTimeout: TimeInterval, counter: StatementCounter) -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        if busyTimeout > 0 { configuration.busyMode = .timeout(busyTimeout) }
        configuration.prepareDatabase { db in
            // Counts statements (what the pages' bench compares); the SQL text is never built.
            db.trace(options: .statement) { _ in counter.value.add(1, ordering: .relaxed) }
            // WAL plus NORMAL: commits skip the fsync, checkpoints still sync. That is what
            // makes ~6 writes per build affordable at 100 builds/s.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return configuration
    }

    private func migrate() throws {
        let migrator = SQLiteSchema.migrator
        do {
            let superseded = try database.read { try migrator.hasBeenSuperseded($0) }
            if superseded {
                throw StoreError("the database \(path) was written by a newer version of Minibot; "
                    + "run that version, or restore a backup made before the upgrade")
            }
            // A new file reclaims space in steps (the janitor's `incremental_vacuum`). Once the
            // file has a page (WAL mode writes one) the mode changes only through a VACUUM,
            // instant while there is no table. An older file keeps its mode.
            try database.writeWithoutTransaction { db in
                if try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") == 0 {
                    try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                    try db.execute(sql: "VACUUM")
                }
            }
            try migrator.migrate(database)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError("cannot migrate the database \(path): \(Self.describe(error))")
        }
    }

    // MARK: transactions

    /// Runs `body` in one write transaction; errors other than ``StoreError`` are wrapped
    /// with `operation` and the file.
    func write<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.write(body)
        } catch {
            throw wrap(error, operation)
        }
    }

    /// Runs `body` in one read transaction (concurrent with writes on a file store).
    func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.read(body)
        } catch {
            throw wrap(error, operation)
        }
    }

    private func wrap(_ error: any Error, _ operation: String) -> any Error {
        if error is StoreError || error is CancellationError { return error }
        return StoreError("cannot \(operation) in the database \(path): \(Self.describe(error))")
    }

    /// The SQLite message plus, for the failures an operator can fix, what to do.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        let message = error.message ?? "SQLite error \(error.resultCode.rawValue)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return message + " (another process holds the database; stop it or raise the busy timeout)"
        case .SQLITE_FULL:
            return message + " (free disk space)"
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN:
            return message + " (check the file's and its directory's permissions)"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return message + " (the file is damaged or not a Minibot database; restore a backup)"
        default:
            return message
        }
    }
}
