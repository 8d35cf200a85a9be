import ArgumentParser
import Foundation
import Logging
import MinibotConfig
import MinibotCore
import MinibotHostFacts
import MinibotWorker
import ServiceLifecycle

/// `minibot-worker`: runs a worker, or writes a worker directory.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minibot-worker",
        abstract: "Run a Minibot worker that connects to its master and runs build steps.",
        subcommands: [Start.self, CreateWorker.self, Availability.self]
    )
}

extension WorkerCommand {
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect to the master and run steps until stopped (SIGTERM or SIGINT kill running steps).",
            discussion: "Either give DIR (read DIR/worker.yaml; options given here override it) or all of --master, --name, --password-file (or --password) and --basedir. Prefer worker.yaml or --password-file: a --password is visible to every user in the process list."
        )

        @Argument(help: "A worker directory made by create-worker.")
        var directory: String?
        @Option(help: "The master's URL, http://HOST:PORT (default: $MINIBOT_MASTER).")
        var master: String?
        @Option(help: "This worker's name, as in the master's config.")
        var name: String?
        @Option(help: "This worker's password, as in the master's config (visible in ps: prefer --password-file).")
        var password: String?
        @Option(name: .customLong("password-file"), help: "A file (mode 0600) holding this worker's password.")
        var passwordFile: String?
        @Option(help: "Directory in which steps run.")
        var basedir: String?
        @Option(help: "The host agent's unix socket.")
        var agent: String?
        @Option(name: .customLong("load-file"), help: "Read the load from this file (loadavg format) instead of /proc/loadavg.")
        var loadFile: String?
        @Option(name: .customLong("idle-file"),
                help: "Read the owner's activity from this file (loginctl show-session format: IdleHint=yes, IdleSinceHint=µs) instead of logind.")
        var idleFile: String?
        @Option(name: .customLong("status-interval"), help: "How often to report the load, e.g. 5s.")
        var statusInterval: String?
        @Option(name: .customLong("samples-file"),
                help: "The flight recorder: 7 days of load samples (default BASEDIR/samples.mbfr; 'none' records nothing).")
        var samplesFile: String?
        @Option(name: .customLong("samples-interval"),
                help: "Time between recorded samples, whole seconds (default 10s; for tests: the file keeps 60,480 samples whatever the interval).")
        var samplesInterval: String?
        @Flag(name: .shortAndLong, help: "Log debug messages too.")
        var verbose = false

        func resolvedConfiguration() throws -> WorkerConfiguration {
            var file: WorkerFile?
            if let directory {
                do {
                    file = try WorkerFile.read(from: directory)
                } catch {
                    throw ValidationError(error.description)  // a missing or bad worker.yaml is a usage error: exit 2
                }
            }
            func required(_ value: String?, _ option: String) throws -> String {
                guard let value, !value.isEmpty else {
                    throw ValidationError("missing --\(option) (or give a worker directory with worker.yaml)")
                }
                return value
            }
            let environmentMaster = ProcessInfo.processInfo.environment["MINIBOT_MASTER"]
            let master = try required(self.master ?? file?.master ?? environmentMaster, "master")
            let name = try required(self.name ?? file?.name, "name")
            let password = try required(try readPasswordFile(passwordFile) ?? self.password ?? file?.password, "password-file")
            let fileBasedir = file?.basedir.map { base in
                base.hasPrefix("/") ? base : URL(fileURLWithPath: directory ?? ".").appendingPathComponent(base).path
            }
            let basedir = try required(self.basedir ?? fileBasedir ?? directory, "basedir")
            var seconds = file?.statusInterval ?? 5
            if let statusInterval {
                guard let parsed = DurationText.seconds(statusInterval), parsed > 0 else {
                    throw ValidationError("--status-interval '\(statusInterval.prefix(40))' is not a duration like 5s or 1m")
                }
                seconds = parsed
            }
            var configuration = WorkerConfiguration(
                masterURL: master, name: name, password: password,
                basedir: URL(fileURLWithPath: basedir).standardizedFileURL.path,
                statusInterval: .milliseconds(Int64((seconds * 1000).rounded())),
                agentSocket: agent ?? file?.agent, loadFile: loadFile ?? file?.loadFile)
            configuration.idleFile = idleFile ?? file?.idleFile
            let fileSamples = file?.samples.map { path in
                path == "none" || path.hasPrefix("/") ? path : URL(fileURLWithPath: directory ?? ".").appendingPathComponent(path).path
            }
            switch samplesFile ?? fileSamples {
            case "none":
                configuration.samplesFile = nil
            case let path?:
                configuration.samplesFile = URL(fileURLWithPath: path).standardizedFileURL.path
            case nil:
                configuration.samplesFile = URL(fileURLWithPath: configuration.basedir).appendingPathComponent(FlightRecorder.defaultFileName).path
            }
            if let samplesInterval {
                guard let seconds = DurationText.seconds(samplesInterval), seconds >= 1, seconds <= 3600,
                      seconds == seconds.rounded() else {
                    throw ValidationError("--samples-interval '\(samplesInterval.prefix(40))' must be whole seconds from 1s to 1h")
                }
                configuration.samplesInterval = UInt32(seconds)
            }
            do {
                _ = try configuration.webSocketURL()
            } catch {
                throw ValidationError("\(error)")
            }
            #if os(Linux)
            // Steps run under this same binary as their supervisor, so they die with the worker.
            configuration.stepSupervisor = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            #endif
            return configuration
        }

        func run() async throws {
            try await runWorker()
        }

        /// The body of `run()`, under a name that main.swift can call unambiguously (a
        /// `run()` on a concrete command resolves to ParsableCommand's synchronous one).
        func runWorker() async throws {
            let configuration = try resolvedConfiguration()
            let level: Logger.Level = verbose ? .debug : .info
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "minibot.worker")
            try FileManager.default.createDirectory(atPath: configuration.basedir, withIntermediateDirectories: true)
            // One worker per base directory, before it touches anything there (two would run
            // steps in the same build directories and kill each other's leftovers).
            let lock: DirectoryLock
            do {
                lock = try DirectoryLock(path: URL(fileURLWithPath: configuration.basedir).appendingPathComponent("minibot-worker.lock").path,
                                         what: "a worker for \(configuration.basedir)")
            } catch let refusal as DirectoryLock.Refusal {
                throw CLIError(refusal.description)
            }
            defer { lock.release() }
            let worker = Worker(configuration: configuration, checkout: LibgitCheckout(), logger: logger)
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
                .init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: ControlServer(worker: worker, logger: logger), successTerminationBehavior: .ignore)]
            if let socket = configuration.agentSocket {
                services.append(.init(service: AgentRelay(worker: worker, socketPath: socket, logger: logger)))
            }
            let group = ServiceGroup(configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            ))
            logger.info("worker \(configuration.name) starting in \(configuration.basedir)")
            try await group.run()
        }
    }

    struct CreateWorker: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-worker",
            abstract: "Create a worker directory with its worker.yaml."
        )

        @Argument(help: "The worker directory to create (it also becomes the base directory).")
        var directory: String
        @Option(help: "The master's URL, http://HOST:PORT.")
        var master: String
        @Option(help: "This worker's name.")
        var name: String
        @Option(help: "This worker's password (visible in ps: prefer --password-file).")
        var password: String?
        @Option(name: .customLong("password-file"), help: "A file holding this worker's password.")
        var passwordFile: String?
        @Option(help: "The host agent's socket: builds start only with a slot from it (agent: in worker.yaml).")
        var agent: String?
        @Option(name: .customLong("load-file"), help: "Read the load from this file instead of /proc (load_file:).")
        var loadFile: String?
        @Option(name: .customLong("idle-file"), help: "Read the owner's activity from this file instead of logind (idle_file:).")
        var idleFile: String?
        @Option(name: .customLong("samples-file"), help: "The flight recorder, relative to DIR, or none (samples:).")
        var samplesFile: String?
        @Flag(help: "Replace an existing worker.yaml.")
        var force = false

        func validate() throws {
            for (option, value) in [("--agent", agent), ("--load-file", loadFile), ("--idle-file", idleFile),
                                    ("--samples-file", samplesFile)] where value?.isEmpty == true {
                throw ValidationError("\(option) must not be empty")
            }
            guard (password == nil) != (passwordFile == nil) else {
                throw ValidationError("give the password with --password-file FILE (or --password PW), once")
            }
            let probe = WorkerConfiguration(masterURL: master, name: name, password: password ?? "", basedir: directory)
            do {
                _ = try probe.webSocketURL()
            } catch {
                throw ValidationError("\(error)")
            }
            if name.isEmpty { throw ValidationError("--name must not be empty") }
        }

        func run() throws {
            let path = WorkerFile.path(in: directory)
            if !force && FileManager.default.fileExists(atPath: path) {
                throw CLIError("\(path) already exists: pass --force to replace it")
            }
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw CLIError("cannot create \(directory): \(error.localizedDescription)")
            }
            let secret = try readPasswordFile(passwordFile) ?? password ?? ""
            var file = WorkerFile(master: master, name: name, password: secret, agent: agent, loadFile: loadFile)
            file.idleFile = idleFile
            file.samples = samplesFile
            try file.write(to: directory)
            print("wrote \(path); start the worker with: minibot-worker start \(directory)")
        }
    }
}

/// The password in `path` (surrounding white space removed), nil without a path.
func readPasswordFile(_ path: String?) throws -> String? {
    guard let path else { return nil }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw ValidationError("cannot read the password file \(path)")
    }
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
}
