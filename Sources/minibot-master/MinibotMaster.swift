import ArgumentParser
import Foundation
import Logging
import MinibotAvailability
import MinibotCore
import MinibotMaster
import MinibotPostgres
import MinibotSQLite

/// `minibot-master DIR`: the master process alone. `minibot start DIR` runs it when it is
/// installed next to `minibot`, so that a running master carries only the master's code
/// (not the command-line client's HTTP and TLS stacks): less memory for as long as it runs.
@main
struct MinibotMasterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minibot-master",
        abstract: "Run the master of DIR in the foreground (what `minibot start DIR` runs).")

    @Argument(help: "The master directory (holding master.cfg).")
    var directory: String

    @Option(name: .long, help: "Listen on this port instead of www.port (0: any free port).")
    var port: Int?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    @Option(name: .long, help: "Long polls (GET /api/v2/events?timeout=S) one client address may hold open at once (default 32).")
    var maxLongPollsPerClient: Int?

    @Flag(name: .long, help: "Start with a new, empty database even though this directory ran a master before and its database file is missing.")
    var newDatabase = false

    /// The SQLite file that `db` names (the embedded default), or the PostgreSQL database of a
    /// `postgresql://` URL; the same choice as `minibot`'s.
    static let store: Master.StoreFactory = { config, directory in
        let environment = ProcessInfo.processInfo.environment
        switch try DatabaseAddress(config.db, environment: environment) {
        case .sqlite:
            return try SQLiteStore(path: Master.databasePath(config, in: directory))
        case .postgres(let address):
            return try await PostgresStore.connect(PostgresStore.Configuration(address: address,
                                                                               environment: environment))
        }
    }

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level \(logLevel)")
        }
        do {
            try await MasterProcess.run(directory: directory, port: port, logLevel: level,
                                        plugins: MasterProcess.plugins([AvailabilityPlugin.self]),
                                        store: Self.store,
                                        maxLongPollsPerClient: maxLongPollsPerClient, newDatabase: newDatabase)
        } catch {
            FileHandle.standardError.write(Data("minibot-master: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
