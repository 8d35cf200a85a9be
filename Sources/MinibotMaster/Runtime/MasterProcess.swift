import Foundation
import Logging
import MinibotCore
import MinibotHostFacts

/// What `minibot start DIR` and `minibot-master DIR` do: log to stderr at `logLevel`, load
/// the master, write `DIR/minibot.pid`, and serve until SIGTERM or SIGINT.
public enum MasterProcess {
    /// The plugins a master process can enable by name; the built-in ones plus `extra`.
    public static func plugins(_ extra: [any MasterPlugin.Type]) -> [any MasterPlugin.Type] {
        extra + [PreferIdlePlugin.self]
    }

    /// Runs the master on the store that `store` opens; throws a ``MasterError`` (or the
    /// configuration's errors) when it cannot start.
    public static func run(directory: String, port: Int?, logLevel: Logger.Level,
                           plugins: [any MasterPlugin.Type], store: @escaping Master.StoreFactory,
                           maxLongPollsPerClient: Int? = nil, newDatabase: Bool = false) async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        let dir = URL(fileURLWithPath: directory).standardizedFileURL
        // Everything the master creates (state.sqlite and its journal, the pid and lock
        // files, the poller mirrors) holds builds, logs or secrets: its user's alone.
        umask(0o077)
        OpenFileLimit.raise()
        // The lock file stays after a master ends: its presence says this directory has run a
        // master before, so a missing database is a loss to report, not a first start.
        let lockPath = dir.appendingPathComponent("minibot.lock").path
        let ranBefore = FileManager.default.fileExists(atPath: lockPath)
        // One master per directory, before the database or the pid file is touched: a
        // second `minibot start` exits here and changes nothing.
        let lock: DirectoryLock
        do {
            lock = try DirectoryLock(path: lockPath, what: "a master for \(dir.path)")
        } catch let refusal as DirectoryLock.Refusal {
            throw MasterError(refusal.description)
        }
        defer { lock.release() }
        let master: Master
        do {
            let guarded: Master.StoreFactory = { config, directory in
                try refuseMissingDatabase(config, in: directory, ranBefore: ranBefore, newDatabase: newDatabase)
                return try await store(config, directory)
            }
            var configuration = Master.Configuration(directory: dir.path, store: guarded, plugins: plugins, port: port,
                                                     logLevel: logLevel)
            if let maxLongPollsPerClient { configuration.maxLongPollsPerClient = maxLongPollsPerClient }
            master = try await Master(configuration)
        } catch let errors as ConfigErrors {
            throw MasterError("master.cfg has errors:\n\(errors)")
        }
        let pidFile = dir.appendingPathComponent("minibot.pid")
        try? "\(getpid())\n".write(to: pidFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: pidFile) }
        try await master.run { url in
            // One line on stdout that scripts and tests wait for.
            FileHandle.standardOutput.write(Data("minibot master listening on \(url)\n".utf8))
        }
    }

    /// A master that ran in `directory` before and finds its database file gone refuses to
    /// start (a new, empty one would silently forget every build and pending request),
    /// unless `newDatabase` says to begin afresh. Only for a database file (`db` a path).
    static func refuseMissingDatabase(_ config: MasterConfig, in directory: URL, ranBefore: Bool,
                                      newDatabase: Bool) throws {
        guard ranBefore, !newDatabase, case .sqlite? = try? DatabaseAddress(config.db) else { return }
        let path = Master.databasePath(config, in: directory)
        guard !FileManager.default.fileExists(atPath: path) else { return }
        throw MasterError("the database \(path) is missing, but a master has run in \(directory.path) before: "
            + "restore the file from a backup, or start with --new-database to begin with an empty one "
            + "(every build, log and pending request of the old one is then gone)")
    }
}
