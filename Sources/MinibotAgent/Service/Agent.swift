import Foundation
import Logging
import MinibotCore
import MinibotHostFacts
import MinibotProtocol
import ServiceLifecycle

/// The host agent service: serves the agent socket and drives the `ArbiterStateMachine`.
///
/// Run by the `minibot-agent start` command's `ServiceGroup` (or directly by tests): `run()`
/// binds the socket, then serves connections, samples load every `sampleInterval` and fires the
/// arbiter's deadlines until cancelled or gracefully shut down. All decisions are the state
/// machine's; this actor only turns socket lines, load samples, host blocks and deadlines into
/// inputs, and the machine's actions into lines. Time comes from the injected `WallClock`.
public actor Agent: Service {
    /// Decides whether the host is inside an unavailable window at a time; called on the actor
    /// before each step. Windows are wired in by the executable (`TimeWindow`, MinibotCore).
    public typealias HostBlockProvider = @Sendable (Date) -> HostBlock?

    private let configuration: AgentConfiguration
    private let clock: any WallClock
    private let loadReader: LoadReader
    private let hostBlockProvider: HostBlockProvider
    private let logger: Logger

    private var machine: ArbiterStateMachine
    private var connections: [ArbiterStateMachine.ConnectionID: AsyncStream<AgentEvent>.Continuation] = [:]
    private var nextConnectionID = 1
    private var currentHostBlock: HostBlock?
    private var timer: Task<Void, Never>?
    private var timerDeadline: Date?
    private var isListening = false
    private var listeningWaiters: [CheckedContinuation<Void, Never>] = []
    private let ledger: LeaseLedger
    /// The lease ids last written to the ledger.
    private var recordedLeases: Set<String> = []
    /// The flight recorder every load sample also goes to (nil: none configured, or it failed).
    private var recorder: FlightRecorder?

    public init(configuration: AgentConfiguration, clock: any WallClock = SystemClock(),
                hostBlock: @escaping HostBlockProvider = { _ in nil }, logger: Logger = Logger(label: "minibot.agent")) {
        self.configuration = configuration
        self.clock = clock
        self.loadReader = LoadReader(source: configuration.load.file.map { .file($0) } ?? .proc)
        self.hostBlockProvider = hostBlock
        self.logger = logger
        let now = clock.now()
        // Milliseconds since 1970 as the first token keeps tokens growing across restarts.
        let tokenBase = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        self.ledger = LeaseLedger(socketPath: configuration.socket.path)
        self.machine = ArbiterStateMachine(
            configuration: configuration.arbiter,
            agentID: String(UInt64.random(in: 0..<(1 << 40)), radix: 36), now: now,
            recovering: ledger.mayHaveLeasesOut(), tokenBase: tokenBase)
    }

    /// Serves until cancelled or gracefully shut down; removes the socket file on the way out.
    public func run() async throws {
        let server = try await LineServer<AgentRequest, AgentEvent>.bind(
            path: configuration.socket.path, mode: configuration.socket.mode)
        logger.info("agent listening", metadata: [
            "socket": "\(configuration.socket.path)", "slots": "\(configuration.arbiter.slots)",
            "recovering_until": "\(machine.recoveringUntil.map { "\($0)" } ?? "none")",
        ])
        markListening()
        openRecorder()
        sampleLoad()
        do {
            // Shutdown = cancellation: the listener closes, connection handlers end, and leases
            // stay with their builds (the next agent start recovers them by re-registration).
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await server.serve { connection in await self.serve(connection) } }
                    group.addTask { try await self.samplingLoop() }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            // A normal end.
        }
        cancelTimer()
        logger.info("agent stopped")
    }

    /// Returns once the socket accepts connections (for tests and wiring).
    public func waitUntilListening() async {
        if isListening { return }
        await withCheckedContinuation { listeningWaiters.append($0) }
    }

    /// The status report, as `minibot-agent status` shows it.
    public func status() -> AgentStatus {
        machine.status(now: clock.now())
    }

    // MARK: connections

    private func serve(_ connection: LineConnection<AgentRequest, AgentEvent>) async {
        let id = nextConnectionID
        nextConnectionID += 1
        // Each connection has its own outgoing queue drained by its own writer: a slow client
        // cannot stall the agent, and messages keep the order in which the arbiter made them.
        let (outgoing, sink) = AsyncStream.makeStream(of: AgentEvent.self)
        connections[id] = sink
        logger.debug("client connected", metadata: ["connection": "\(id)"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in outgoing {
                    do {
                        try await connection.outbound.send(event)
                    } catch {
                        break
                    }
                }
            }
            do {
                for try await line in connection.inbound {
                    switch line {
                    case .success(let request):
                        step(.request(request, from: id))
                    case .failure(let error):
                        sink.yield(.refused(.init(replyTo: 0, code: "malformed", message: error.message)))
                    }
                }
            } catch {
                logger.debug("client connection failed", metadata: ["connection": "\(id)", "error": "\(error)"])
            }
            sink.finish()
            connections[id] = nil
            logger.debug("client disconnected", metadata: ["connection": "\(id)"])
            step(.connectionClosed(id))
        }
    }

    // MARK: driving the state machine

    /// Feeds one input, queues the resulting messages, and re-arms the timer. Synchronous, so
    /// that no other input can slip in between a decision and its messages.
    private func step(_ input: ArbiterStateMachine.Input) {
        let now = clock.now()
        var actions: [ArbiterStateMachine.Action] = []
        let block = hostBlockProvider(now)
        if block != currentHostBlock {
            currentHostBlock = block
            logger.info("host block changed", metadata: ["reason": "\(block?.reason ?? "none")"])
            actions += machine.handle(.hostBlockChanged(block), now: now)
        }
        actions += machine.handle(input, now: now)
        armTimer()
        recordLeases()
        for action in actions {
            log(action)
            // A connection that closed meanwhile is reported by its own handler.
            connections[action.connection]?.yield(action.event)
        }
    }

    /// Writes the ledger when the set of leases changed (a grant, a release, an expiry).
    private func recordLeases() {
        let leases = Set(machine.leases.keys)
        guard leases != recordedLeases else { return }
        do {
            try ledger.record(Array(leases))
            recordedLeases = leases
        } catch {
            logger.warning("cannot write the lease ledger; the next start will recover for one lease TTL",
                           metadata: ["path": "\(ledger.path)", "error": "\(error)"])
        }
    }

    private func armTimer() {
        // One timer for the earliest deadline; a new earlier deadline replaces it.
        guard let deadline = machine.nextDeadline else {
            cancelTimer()
            return
        }
        if deadline == timerDeadline, timer != nil { return }
        timer?.cancel()
        timerDeadline = deadline
        timer = Task { [clock] in
            do {
                try await clock.sleep(until: deadline)
            } catch {
                return
            }
            self.timerFired(deadline)
        }
    }

    private func timerFired(_ deadline: Date) {
        guard timerDeadline == deadline else { return }
        timer = nil
        timerDeadline = nil
        step(.tick)
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
    }

    private func samplingLoop() async throws {
        while true {
            try await clock.sleep(until: clock.now().addingTimeInterval(configuration.load.sampleInterval))
            sampleLoad()
        }
    }

    private func sampleLoad() {
        do {
            let sample = try loadReader.read(at: clock.now())
            step(.loadSampled(sample))
            record(sample)
        } catch {
            // Keep the last sample: an unreadable load file must not unblock the host.
            logger.warning("cannot read load", metadata: ["error": "\(error)"])
        }
    }

    private func openRecorder() {
        guard let path = configuration.samplesPath else { return }
        do {
            recorder = try FlightRecorder.open(path: path)
            logger.info("recording load samples", metadata: ["path": "\(path)"])
        } catch {
            logger.error("not recording load samples", metadata: ["error": "\(error)"])
        }
    }

    /// Two samples within one 10 s slot: the later one stays. A failed write stops the recorder
    /// (said once) rather than filling the log every few seconds.
    private func record(_ sample: LoadSample) {
        do {
            try recorder?.record(sample)
        } catch {
            logger.error("stopped recording load samples", metadata: ["error": "\(error)"])
            recorder = nil
        }
    }

    private func markListening() {
        isListening = true
        for waiter in listeningWaiters { waiter.resume() }
        listeningWaiters = []
    }

    private func log(_ action: ArbiterStateMachine.Action) {
        switch action.event {
        case .offer(let offer):
            logger.info("offer", metadata: ["subscription": "\(offer.subscription)", "offer": "\(offer.offer)"])
        case .lease(let granted):
            logger.info("granted", metadata: [
                "master": "\(granted.lease.master)", "worker": "\(granted.lease.worker)",
                "builder": "\(granted.lease.builder)", "build": "\(granted.lease.build)", "token": "\(granted.lease.token)",
            ])
        case .leaseExpired(let expired):
            logger.info("lease expired", metadata: ["lease": "\(expired.lease)"])
        case .offerWithdrawn(let withdrawn):
            logger.info("offer withdrawn", metadata: ["subscription": "\(withdrawn.subscription)", "reason": "\(withdrawn.reason)"])
        default:
            logger.debug("sent", metadata: ["connection": "\(action.connection)", "event": "\(action.event)"])
        }
    }
}
