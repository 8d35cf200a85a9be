import Foundation
import Logging
import MinibotCore

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
                           plugins: [any MasterPlugin.Type], store: @escaping Master.StoreFactory) async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        let dir = URL(fileURLWithPath: directory).standardizedFileURL
        let master: Master
        do {
            master = try await Master(.init(directory: dir.path, store: store, plugins: plugins, port: port,
                                               logLevel: logLevel))
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
}
