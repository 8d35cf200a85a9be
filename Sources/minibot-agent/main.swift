// minibot-agent: argument parsing and wiring only; the agent lives in MinibotAgent.
import ArgumentParser
import Foundation
import Logging
import MinibotAgent
import MinibotCore
import MinibotHostFacts
import MinibotProtocol
import ServiceLifecycle

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minibot-agent",
        abstract: "The host agent: shares this machine's build slots among all its workers and masters.",
        discussion: """
            Workers on this host talk to the agent over a unix socket; whoever may write the socket \
            file may use it (socket_mode, default 0660: the agent's user and group).
            """,
        subcommands: [Start.self, Status.self, Samples.self]
    )
}

struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the agent in the foreground.")

    @Option(help: "Unix socket to listen on.") var socket: String
    @Option(help: "agent.yaml with slots, max_load, resume_load, settle, windows, ...") var config: String?
    @Option(help: "Read the load from this file (/proc/loadavg format) instead of /proc.") var loadFile: String?
    @Option(help: "Builds that may run at once (default 1).") var slots: Int?
    @Option(help: "Block offers above this 1-minute load (default: number of CPUs).") var maxLoad: Double?
    @Option(help: "Resume offers below this load (default 80% of max-load).") var resumeLoad: Double?
    @Option(help: "Minimum time between two grants, e.g. 30s.") var settle: String?
    @Option(help: "Time to claim an offer, e.g. 5s.") var offerTimeout: String?
    @Option(help: "Lease lifetime without renewal, e.g. 30s.") var leaseTtl: String?
    @Option(help: "Socket file mode in octal, e.g. 0660.") var socketMode: String?
    @Flag(help: "Log debug messages.") var verbose = false

    func run() async throws {
        var configuration = AgentConfiguration(socket: .init(path: socket))
        if let config {
            do {
                configuration = try AgentConfiguration.load(path: config, base: configuration)
            } catch {
                throw UsageError(error.description)
            }
            configuration.socket.path = socket // the command line names the socket
        }
        if let loadFile { configuration.load.file = loadFile }
        if let slots {
            guard let slots = AgentConfiguration.checkedSlots(slots) else {
                throw UsageError("--slots \(AgentConfiguration.slotsRule)")
            }
            configuration.arbiter.slots = slots
        }
        if let maxLoad { configuration.arbiter.maxLoad = try load(maxLoad, "--max-load") }
        if let resumeLoad { configuration.arbiter.resumeLoad = try load(resumeLoad, "--resume-load") }
        if let settle {
            guard let seconds = DurationText.seconds(settle) else {
                throw UsageError("--settle: expected a duration such as 30s, 5m, 500ms or 0")
            }
            configuration.arbiter.settle = seconds
        }
        if let offerTimeout { configuration.arbiter.offerTimeout = try duration(offerTimeout, "--offer-timeout") }
        if let leaseTtl { configuration.arbiter.leaseTTL = try duration(leaseTtl, "--lease-ttl") }
        if let socketMode {
            guard let mode = AgentConfiguration.socketMode(socketMode) else {
                throw UsageError("--socket-mode \(AgentConfiguration.socketModeRule)")
            }
            configuration.socket.mode = mode
        }
        var problems: [String] = []
        AgentConfiguration.crossCheck(configuration.arbiter) { _, message in problems.append(message) }
        if let problem = problems.first { throw UsageError(problem) }
        let windows = HostWindows(configuration.windows)

        let verbose = verbose
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .info
            return handler
        }
        let logger = Logger(label: "minibot.agent")
        if windows.ignoredCount > 0 {
            logger.notice("\(windows.ignoredCount) advisory window(s) ignored: only unavailable windows block offers")
        }
        // One agent per socket, before the socket (and its lease ledger) is touched: a second
        // agent would replace the first one's socket and grant slots the first still holds.
        let lock: DirectoryLock
        do {
            lock = try DirectoryLock(path: configuration.socket.path + ".lock", what: "an agent on \(configuration.socket.path)")
        } catch let refusal as DirectoryLock.Refusal {
            throw UsageError(refusal.description)
        }
        defer { lock.release() }
        let hostBlock: Agent.HostBlockProvider = { windows.block(at: $0) }
        let agent = Agent(configuration: configuration, hostBlock: hostBlock, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [agent], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    private func duration(_ text: String, _ option: String) throws -> TimeInterval {
        guard let value = AgentConfiguration.positiveDuration(text) else {
            throw UsageError("\(option): expected a duration longer than zero such as 30s, 5m, 500ms")
        }
        return value
    }

    private func load(_ value: Double, _ option: String) throws -> Double {
        guard let load = AgentConfiguration.checkedLoad(value) else {
            throw UsageError("\(option) \(AgentConfiguration.loadRule), found \(value)")
        }
        return load
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show slots, leases, queue, load and why nothing is offered.")

    @Option(help: "The agent's unix socket.") var socket: String
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        let status: AgentStatus
        do {
            status = try await AgentStatusQuery.fetch(socketPath: socket)
        } catch {
            throw UsageError("cannot get status from \(socket): \(error)")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } else {
            print(AgentStatusText.render(status))
        }
    }
}

struct Samples: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the flight recorder's samples as JSON (read from its file; the agent need not run).",
        discussion: "The file is samples: in agent.yaml, else SOCKET.samples.mbfr; --file names it directly.")

    @Option(help: "The agent's unix socket (the file is beside it).") var socket: String?
    @Option(help: "agent.yaml, for its socket and samples settings.") var config: String?
    @Option(help: "The flight recorder file itself.") var file: String?
    @Option(help: "How far back, e.g. 1d, 6h (default 1d; the file keeps 7d).") var since: String = "1d"

    func run() throws {
        guard let back = DurationText.seconds(since) else {
            throw UsageError("--since: expected a duration such as 1d, 6h or 30m")
        }
        var configuration = AgentConfiguration(socket: .init(path: socket ?? ""))
        if let config {
            do {
                configuration = try AgentConfiguration.load(path: config, base: configuration)
            } catch {
                throw UsageError(error.description)
            }
            if let socket { configuration.socket.path = socket }
        }
        let path: String
        if let file {
            path = file
        } else if configuration.samples == nil && configuration.socket.path.isEmpty {
            throw UsageError("give --socket, --config or --file to find the samples")
        } else if let configured = configuration.samplesPath {
            path = configured
        } else {
            throw UsageError("this agent records no samples (samples: none)")
        }
        let now = Date()
        let samples: [LoadSample]
        do {
            samples = try FlightRecorder.samples(inFile: path, since: now.addingTimeInterval(-min(back, 7 * 86_400)), until: now)
        } catch {
            throw UsageError("\(error)")
        }
        let document = SamplesDocument(worker: ProcessInfo.processInfo.hostName, interval: Int(FlightRecorder.defaultInterval),
                                       samples: samples, source: "agent")
        print(String(decoding: try document.data(), as: UTF8.self))
    }
}

/// A usage, configuration or connection problem: one line on stderr, exit code 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// Exit codes follow DESIGN.md §7: 0 success, 2 usage or connection error with one line on stderr.
do {
    var command = try AgentCommand.parseAsRoot()
    switch command {
    case let start as Start: try await start.run()
    case let status as Status: try await status.run()
    case let samples as Samples: try samples.run()
    default: try command.run() // the root command: prints help
    }
} catch {
    let code = AgentCommand.exitCode(for: error)
    if code == .success {
        // --help and friends.
        print(AgentCommand.fullMessage(for: error))
        exit(0)
    }
    let message: String
    switch error {
    case let error as UsageError: message = error.description
    case let error as AgentConfigurationError: message = error.description
    default:
        let text = AgentCommand.message(for: error)
        message = text.split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
    FileHandle.standardError.write(Data("minibot-agent: \(message)\n".utf8))
    exit(2)
}
