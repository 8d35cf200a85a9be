import Foundation
import Logging
import MinibotCore
import MinibotProtocol
import ServiceLifecycle

/// The worker's local control socket: lets the worker's owner set its availability from the
/// worker's own machine (`minibot-worker availability off DIR`). See ``ControlWire``.
///
/// A `Service` run next to the ``Worker`` in the same group: `run()` binds the socket in the
/// base directory (mode 0600), relays each request to the master's availability plugin through
/// ``Worker/sendPlugin(name:payload:)`` and answers with the master's reply. It stops on
/// graceful shutdown and removes the socket file.
public struct ControlServer: Service {
    /// Options with defaults.
    public struct Configuration: Sendable {
        /// The socket path; default `basedir/minibot-worker.sock`.
        public var socketPath: String
        /// How long to wait for the master's answer before telling the user.
        public var replyTimeout: Duration

        public init(socketPath: String, replyTimeout: Duration = .seconds(10)) {
            self.socketPath = socketPath
            self.replyTimeout = replyTimeout
        }
    }

    let worker: Worker
    let configuration: Configuration
    let logger: Logger

    public init(worker: Worker, configuration: Configuration? = nil, logger: Logger = Logger(label: "minibot.worker.control")) {
        self.worker = worker
        self.configuration = configuration ?? Configuration(socketPath: ControlWire.socketPath(basedir: worker.configuration.basedir))
        self.logger = logger
    }

    public func run() async throws {
        let path = configuration.socketPath
        // A live socket means another worker serves this directory: two workers building in
        // one base directory would trample each other, so refuse to start.
        if await Self.isServed(path) {
            throw WorkerConfigurationError("another minibot-worker is already running in \(URL(fileURLWithPath: path).deletingLastPathComponent().path) (its control socket \(path) answers); stop it first")
        }
        let server: LineServer<ControlRequest, ControlReply>
        do {
            server = try await LineServer.bind(path: path, mode: 0o600)
        } catch {
            // The worker can build without it; only local availability changes are lost.
            logger.error("no local control socket (\(error)); `minibot-worker availability` will not work, the worker runs on")
            return
        }
        logger.debug("control socket listening", metadata: ["socket": .string(path)])
        do {
            try await cancelWhenGracefulShutdown {
                try await server.serve { connection in
                    await self.serve(connection)
                }
            }
        } catch is CancellationError {
            // How the service is stopped.
        }
    }

    private func serve(_ connection: LineConnection<ControlRequest, ControlReply>) async {
        do {
            for try await line in connection.inbound {
                let reply: ControlReply
                switch line {
                case .success(let request): reply = await handle(request)
                case .failure(let error): reply = .failure("bad request: \(error.message)")
                }
                try await connection.outbound.send(reply)
            }
        } catch {
            logger.debug("control connection ended: \(error)")
        }
    }

    /// Relays one request to the master and waits for its answer.
    func handle(_ request: ControlRequest) async -> ControlReply {
        if request.action == .set && !["available", "advisory", "unavailable"].contains(request.state ?? "") {
            return .failure("state must be available, advisory or unavailable")
        }
        // Subscribe before sending so that a fast reply is not missed. Replies carry no request
        // id: two owners changing the flag at the same instant may each see the other's reply,
        // which still shows the latest state.
        let replies = await worker.pluginMessages(named: ControlWire.availabilityChannel)
        let masterURL = worker.configuration.masterURL
        guard await worker.sendPlugin(name: ControlWire.availabilityChannel, payload: request.pluginPayload) else {
            return .failure("the worker is not connected to its master at \(masterURL) (see the worker's log); nothing was changed, try again once it is connected")
        }
        let timeout = configuration.replyTimeout
        let answer = await withTaskGroup(of: JSONValue?.self) { group in
            group.addTask {
                for await payload in replies where payload["type"]?.stringValue == "availability" { return payload }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let answer else {
            return .failure("the master at \(masterURL) did not answer within \(Worker.describe(timeout)): is the availability plugin enabled in its master.cfg (plugins: availability:)?")
        }
        let name = worker.configuration.name
        if answer["ok"]?.boolValue == true {
            logger.info("availability \(request.action.rawValue) relayed for \(request.user)",
                        metadata: request.state.map { ["state": .string($0)] } ?? [:])
            return ControlReply(isOK: true, worker: name, availability: answer["availability"])
        }
        return ControlReply(isOK: false, worker: name, error: answer["error"]?.stringValue ?? "the master refused the change",
                            availability: answer["availability"])
    }

    /// Whether something accepts connections at `path`.
    static func isServed(_ path: String) async -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        do {
            try await LineChannel.connect(to: path, receiving: ControlReply.self, sending: ControlRequest.self) { _ in }
            return true
        } catch {
            return false
        }
    }
}
