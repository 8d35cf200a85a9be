import ArgumentParser
import Foundation
import Logging
import MinibotCore
import MinibotMaster

/// `minibot start DIR`: runs the master in the foreground until SIGTERM or SIGINT.
struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the master of DIR in the foreground (SIGHUP reloads master.cfg; SIGTERM/SIGINT stop it).")

    @Argument(help: "The master directory (holding master.cfg).")
    var directory: String

    @Option(name: .long, help: "Listen on this port instead of www.port (0: any free port).")
    var port: Int?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw Failure.usage("unknown log level \(logLevel)")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let dir = URL(fileURLWithPath: directory).standardizedFileURL
        let master: Master
        do {
            master = try await Master(.init(directory: dir.path, plugins: Minibot.plugins, port: port, logLevel: level))
        } catch let errors as ConfigErrors {
            throw Failure.failed("master.cfg has errors:\n\(errors)")
        } catch {
            throw Failure.failed("\(error)")
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
