import ArgumentParser
import Foundation
import Logging
import MinibotCore
import MinibotMaster

/// `minibot start DIR`: runs the master in the foreground until SIGTERM or SIGINT.
///
/// When `minibot-master` is installed next to `minibot` (as the build and the README's
/// install put it), this process becomes it (`execv`, same pid): a running master then
/// carries only the master's code. Otherwise the master runs in this process.
struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the master of DIR in the foreground (SIGHUP reloads master.cfg; SIGTERM/SIGINT stop it).")

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

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw Failure.usage("unknown log level \(logLevel)")
        }
        execMasterBinary()
        do {
            try await MasterProcess.run(directory: directory, port: port, logLevel: level, plugins: Minibot.plugins,
                                        store: Minibot.store, maxLongPollsPerClient: maxLongPollsPerClient, newDatabase: newDatabase)
        } catch {
            throw Failure.failed("\(error)")
        }
    }

    /// Replaces this process with `minibot-master` from the same directory, if it is there;
    /// returns only when it is not (or cannot be run).
    private func execMasterBinary() {
        let here = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let master = here.appendingPathComponent("minibot-master").path
        guard FileManager.default.isExecutableFile(atPath: master) else { return }
        var arguments = [master, directory, "--log-level", logLevel]
        if let port { arguments += ["--port", String(port)] }
        if let maxLongPollsPerClient { arguments += ["--max-long-polls-per-client", String(maxLongPollsPerClient)] }
        if newDatabase { arguments.append("--new-database") }
        let cArguments = arguments.map { strdup($0) } + [nil]
        execv(master, cArguments)
        // Still here: exec failed; run the master in this process instead.
        for pointer in cArguments { free(pointer) }
    }
}
