import Foundation
import Logging
import MinibotCore
import MinibotStore
import PostgresNIO

/// The ``Store`` that several masters share: one PostgreSQL database through postgres-nio.
///
/// Open it with ``connect(_:logger:)``, which checks that the server answers, creates or
/// migrates the schema and starts the connection pool. Every method is one statement or one
/// transaction on a pooled connection; safe to call from any task and from any number of
/// masters at once.
///
/// Claims: ``startBuild(requestID:master:worker:at:properties:)`` is one statement that takes
/// the pending row with `FOR UPDATE SKIP LOCKED` (a contender skips a row another is
/// claiming instead of waiting for it), records the master, draws a fencing token from the
/// `claim_tokens` sequence and inserts the build with the same master and token. A build id
/// therefore names one claim; every later write for the build (steps, logs, finish, unclaim)
/// joins the build to its request and lands only while the request still holds that master
/// and that token and the build runs. When it finds no such row, the claim is lost.
public final class PostgresStore: Store {
    /// Where and how to connect.
    public struct Configuration: Sendable {
        public var address: PostgresAddress
        /// nil: no password (trust or peer authentication).
        public var password: String?
        /// The pool's upper bound on connections to the server.
        public var maximumConnections: Int
        /// How long connecting may take before the store gives up.
        public var connectTimeout: Duration

        public init(address: PostgresAddress, password: String? = nil, maximumConnections: Int = 8,
                    connectTimeout: Duration = .seconds(10)) {
            self.address = address
            self.password = password
            self.maximumConnections = maximumConnections
            self.connectTimeout = connectTimeout
        }

        /// The address with the password libpq would use: `PGPASSWORD`, else the matching line
        /// of the password file (`?passfile=`, `PGPASSFILE`, or `~/.pgpass`).
        public init(address: PostgresAddress, environment: [String: String]) throws {
            self.init(address: address)
            password = try PostgresPasswordFile.password(for: address, environment: environment)
        }
    }

    let client: PostgresClient
    let logger: Logger
    /// The database, for messages (never holds a password).
    public let address: PostgresAddress
    /// How the listener opens its own connection (the pool's connections cannot LISTEN).
    let listenerConfiguration: PostgresConnection.Configuration
    private let runner: Task<Void, Never>
    let statements = StatementCounter()

    private init(client: PostgresClient, runner: Task<Void, Never>, address: PostgresAddress,
                 listenerConfiguration: PostgresConnection.Configuration, logger: Logger) {
        self.client = client
        self.runner = runner
        self.address = address
        self.listenerConfiguration = listenerConfiguration
        self.logger = logger
    }

    deinit { runner.cancel() }

    /// Connects, migrates the schema to this version's and returns the store.
    ///
    /// Fails with a ``StoreError`` saying what to fix when the server cannot be reached, the
    /// login is refused, or the database was migrated by a newer Minibot.
    public static func connect(_ configuration: Configuration,
                               logger: Logger = Logger(label: "minibot.store.postgres")) async throws -> PostgresStore {
        let address = configuration.address
        let connectionConfiguration = Self.connectionConfiguration(configuration)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0,
                                                              logger: logger)
        } catch {
            throw StoreError("cannot connect to \(address): \(describe(error)); check that the server runs, "
                + "that it accepts \(address.user) from this host, and the password (PGPASSWORD or a passfile)")
        }
        do {
            try await migrate(connection, address: address, logger: logger)
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }

        var options = PostgresClient.Configuration.Options()
        options.maximumConnections = max(1, configuration.maximumConnections)
        options.connectTimeout = configuration.connectTimeout
        let clientConfiguration: PostgresClient.Configuration
        if address.isUnixSocket {
            clientConfiguration = PostgresClient.Configuration(
                unixSocketPath: address.socketPath, username: address.user, password: configuration.password,
                database: address.database)
        } else {
            clientConfiguration = PostgresClient.Configuration(
                host: address.host, port: address.port, username: address.user, password: configuration.password,
                database: address.database, tls: .disable)
        }
        var pooled = clientConfiguration
        pooled.options = options
        let client = PostgresClient(configuration: pooled, backgroundLogger: logger)
        // The pool works only while `run()` runs; it ends (closing every connection) when
        // the store is released. Started at once where the runtime can, so that `run()` has
        // begun before the first query (postgres-nio warns otherwise).
        let runner: Task<Void, Never>
        if #available(macOS 26, *) {
            runner = Task.immediate { await client.run() }
        } else {
            runner = Task { await client.run() }
        }
        return PostgresStore(client: client, runner: runner, address: address,
                             listenerConfiguration: connectionConfiguration, logger: logger)
    }

    private static func connectionConfiguration(_ configuration: Configuration) -> PostgresConnection.Configuration {
        let address = configuration.address
        var result = address.isUnixSocket
            ? PostgresConnection.Configuration(unixSocketPath: address.socketPath, username: address.user,
                                               password: configuration.password, database: address.database)
            : PostgresConnection.Configuration(host: address.host, port: address.port, username: address.user,
                                               password: configuration.password, database: address.database,
                                               tls: .disable)
        result.options.connectTimeout = .seconds(Int64(configuration.connectTimeout.components.seconds))
        return result
    }

    /// Applies the missing migrations in one transaction, under an advisory lock.
    static func migrate(_ connection: PostgresConnection, address: PostgresAddress, logger: Logger) async throws {
        do {
            @discardableResult func run(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
                try await BoundedQuery.rows(query, on: connection, logger: logger)
            }
            try await run("BEGIN")
            try await run("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))")
            try await run(PostgresQuery(unsafeSQL: PostgresSchema.versionTable))
            let current = try await run("SELECT COALESCE(MAX(version), 0)::bigint AS version FROM minibot_schema")
                .first?["version"].decode(Int.self) ?? 0
            if current > PostgresSchema.latest {
                throw StoreError("the database \(address) is at schema version \(current), written by a newer "
                    + "version of Minibot (this one knows \(PostgresSchema.latest)); run that version")
            }
            for migration in PostgresSchema.migrations where migration.version > current {
                for statement in migration.statements {
                    try await run(PostgresQuery(unsafeSQL: statement))
                }
                try await run("""
                    INSERT INTO minibot_schema (version, description) VALUES (\(migration.version), \(migration.description))
                    """)
                logger.info("database migrated", metadata: ["version": "\(migration.version)", "database": "\(address)"])
            }
            try await run("COMMIT")
        } catch {
            _ = try? await BoundedQuery.rows("ROLLBACK", on: connection, logger: logger)
            if error is StoreError { throw error }
            throw StoreError("cannot migrate the database \(address): \(describe(error))")
        }
    }

    /// The database's size (`pg_database_size`) and the statements this master sent, for
    /// `/metrics`. A failed query leaves the size out of that scrape (the store's health is
    /// reported apart); the size query itself is not counted.
    public func statistics() async -> StoreStatistics {
        let sent = statements.value
        let rows = try? await rows("read the database size", "SELECT pg_database_size(current_database()) AS bytes")
        return StoreStatistics(databaseBytes: rows?.first.flatMap { try? $0["bytes"].decode(Int64.self) },
                               statements: sent)
    }

    // MARK: statements and transactions

    /// Runs one statement and returns its rows; errors are wrapped with `operation`, unless
    /// `explain` says what a server error means for this statement (a missing change, …).
    @discardableResult
    func rows(_ operation: String, _ query: PostgresQuery,
              explain: (any Error) -> StoreError? = { _ in nil }) async throws -> [PostgresRandomAccessRow] {
        do {
            statements.add()
            return try await client.withConnection { [logger] connection in
                try await BoundedQuery.rows(query, on: connection, logger: logger)
            }
        } catch {
            if let explained = explain(error) { throw explained }
            throw wrap(error, operation)
        }
    }

    /// Runs `body` in one transaction on one connection (rolled back if it throws).
    func transaction<T: Sendable>(_ operation: String,
                                  _ body: @Sendable (Session) async throws -> T) async throws -> T {
        let (logger, statements) = (logger, statements)
        do {
            return try await client.withConnection { connection in
                let session = Session(connection: connection, logger: logger, statements: statements)
                try await session.rows("BEGIN")
                do {
                    let value = try await body(session)
                    try await session.rows("COMMIT")
                    return value
                } catch {
                    // On a closed connection there is nothing to roll back: BoundedQuery fails at once.
                    _ = try? await session.rows("ROLLBACK")
                    throw error
                }
            }
        } catch {
            throw wrap(error, operation)
        }
    }

    /// A connection inside a transaction of ``transaction(_:_:)``.
    struct Session {
        let connection: PostgresConnection
        let logger: Logger
        let statements: StatementCounter

        @discardableResult
        func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
            statements.add()
            return try await BoundedQuery.rows(query, on: connection, logger: logger)
        }

        /// Queues a wake-up for the listening masters, delivered when the transaction commits
        /// (and never if it rolls back).
        func notify(_ wakeUp: StoreWakeUp) async throws {
            try await rows("SELECT pg_notify(\(PostgresStore.requestChannel), \(wakeUp.payload)) IS NULL AS notified")
        }
    }

    private func wrap(_ error: any Error, _ operation: String) -> any Error {
        if error is StoreError || error is CancellationError { return error }
        return StoreError("cannot \(operation) in the database \(address): \(Self.describe(error))")
    }

    /// The server's message (postgres-nio's own description hides it), or the client's.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state
            }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }

    /// The SQLSTATE of a server error, e.g. 23503 for a foreign-key violation.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
