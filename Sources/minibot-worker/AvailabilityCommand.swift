import ArgumentParser
import Foundation
import MinibotConfig
import MinibotCore
import MinibotWorker

extension WorkerCommand {
    /// `minibot-worker availability off|advisory|on|show [--reason R] [--for D] DIR`: the
    /// worker's owner sets its availability from the worker's own machine, through the running
    /// worker's control socket; the worker relays it to the master, which keeps the flag.
    struct Availability: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take this worker out of (or back into) CI from its own machine.",
            discussion: """
            off: no new builds (running ones finish); advisory: used only when no other worker can \
            take a build; on: clear the flag set here or through the master (back to what master.cfg \
            says); show: print the current availability. Talks to the running worker through its \
            control socket DIR/\(ControlWire.socketName); the master keeps the flag across restarts.
            """
        )

        @Argument(help: "off, advisory, on or show.")
        var mode: String
        @Argument(help: "The worker's directory (with worker.yaml) or base directory.")
        var directory: String
        @Option(help: "Why, shown to everyone who looks at the worker.")
        var reason: String?
        @Option(name: .customLong("for"), help: "Revert by itself after this long, e.g. 30m or 2h.")
        var duration: String?

        func validate() throws {
            guard ["off", "advisory", "on", "show"].contains(mode) else {
                throw ValidationError("say off, advisory, on or show, not '\(mode)'")
            }
            if let duration, (DurationText.seconds(duration) ?? 0) <= 0 {
                throw ValidationError("--for takes a duration like 30m or 2h, not '\(duration)'")
            }
            if (mode == "on" || mode == "show") && (reason != nil || duration != nil) {
                throw ValidationError("--reason and --for go with off or advisory")
            }
        }

        /// Runs the command; errors are `ControlClientError`s (exit 2 in main.swift).
        func runAvailability() async throws {
            let request: ControlRequest
            let user = "\(Self.userName())@\(Self.hostName())"
            switch mode {
            case "off": request = ControlRequest(action: .set, state: "unavailable", reason: reason, duration: duration, user: user)
            case "advisory": request = ControlRequest(action: .set, state: "advisory", reason: reason, duration: duration, user: user)
            case "on": request = ControlRequest(action: .clear, user: user)
            default: request = ControlRequest(action: .show, user: user)
            }
            let reply = try await ControlClient.send(request, socketPath: socketPath())
            guard reply.isOK else {
                throw ControlClientError(reply.error ?? "the master refused the change")
            }
            print(ControlClient.describe(reply.availability, worker: reply.worker ?? "worker"))
        }

        /// The socket in the worker's base directory: worker.yaml's `basedir` when DIR has one,
        /// else DIR itself (a worker started with --basedir DIR).
        func socketPath() -> String {
            let file = try? WorkerFile.read(from: directory)
            let basedir = file?.basedir.map { base in
                base.hasPrefix("/") ? base : URL(fileURLWithPath: directory).appendingPathComponent(base).path
            } ?? directory
            return ControlWire.socketPath(basedir: URL(fileURLWithPath: basedir).standardizedFileURL.path)
        }

        static func userName() -> String {
            if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
            return ProcessInfo.processInfo.environment["USER"] ?? "uid \(getuid())"
        }

        static func hostName() -> String {
            var buffer = [CChar](repeating: 0, count: 256)
            guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
