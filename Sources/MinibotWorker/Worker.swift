import Foundation
import HummingbirdWSClient
import Logging
import MinibotCore
import MinibotProtocol
import ServiceLifecycle
import Synchronization

/// A Minibot worker: keeps one WebSocket link to its master and runs the steps it is sent.
///
/// A `Service`: `run()` connects, says `hello`, waits for `welcome`, then serves
/// `startStep`, `interrupt`, `plugin`, `shutdown` and pings until the link drops, and
/// reconnects with capped exponential backoff (``ReconnectBackoff``) until it is cancelled,
/// told to shut down, or the service group shuts down gracefully (which kills running
/// steps). Other components talk to the master through ``sendPlugin(name:payload:)`` and
/// ``pluginMessages(named:)`` from any task.
public actor Worker: Service {
    public nonisolated let configuration: WorkerConfiguration
    /// What the worker did, in order; buffers the newest 256 events when nobody reads.
    public nonisolated let events: AsyncStream<WorkerEvent>

    nonisolated let runner: StepRunner
    nonisolated let logger: Logger
    private nonisolated let eventSink: AsyncStream<WorkerEvent>.Continuation
    private var link: WorkerLink?
    private var nextLinkID = 0
    private var pluginSubscribers: [String: [Int: AsyncStream<JSONValue>.Continuation]] = [:]
    private var nextSubscriberID = 0
    private var linkObservers: [Int: AsyncStream<Bool>.Continuation] = [:]

    /// - Parameters:
    ///   - checkout: performs `git` steps; the default fails them.
    ///   - logger: the worker's logger; connection attempts are logged at `info`.
    public init(configuration: WorkerConfiguration, checkout: any CheckoutPerformer = UnavailableCheckout(),
                logger: Logger = Logger(label: "minibot.worker")) {
        self.configuration = configuration
        self.runner = StepRunner(configuration: .init(basedir: configuration.basedir,
                                                      supervisor: configuration.stepSupervisor),
                                 checkout: checkout)
        var logger = logger
        logger[metadataKey: "worker"] = .string(configuration.name)
        self.logger = logger
        (self.events, self.eventSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(256))
    }

    /// Connects and serves until cancelled, shut down by the master, or the service group
    /// shuts down. Throws only for a configuration it cannot use (a bad master URL).
    public func run() async throws {
        let url = try configuration.webSocketURL()
        // Steps a previous run of this worker left behind (it was killed) go first.
        for group in StepGroupLedger(basedir: configuration.basedir).reapLeftovers() {
            logger.notice("killed the process group of a step left by a previous run", metadata: ["pgid": "\(group)"])
        }
        defer {
            emit(.stopped)
        }
        do {
            try await cancelWhenGracefulShutdown {
                // The recorder runs whether or not the master is reachable: a week of load is
                // most useful about the hours the link was down.
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { await self.recordSamples() }
                    try await self.connectLoop(url: url)
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            // Cancellation and graceful shutdown are how a worker is stopped: a normal end.
        }
    }

    /// Sends a plugin message to the master; false (and nothing sent) while not connected.
    @discardableResult
    public func sendPlugin(name: String, payload: JSONValue) async -> Bool {
        guard let link else {
            logger.debug("plugin message dropped: not connected", metadata: ["plugin": .string(name)])
            return false
        }
        do {
            try await link.send(.plugin(name: name, payload: payload))
            return true
        } catch {
            logger.debug("plugin message not sent: \(error)", metadata: ["plugin": .string(name)])
            return false
        }
    }

    /// The payloads of `plugin(name, …)` messages from the master, from now on, in order.
    /// Each call makes a new subscription; it ends when the consumer stops iterating.
    public func pluginMessages(named name: String) -> AsyncStream<JSONValue> {
        let (stream, continuation) = AsyncStream.makeStream(of: JSONValue.self, bufferingPolicy: .bufferingNewest(1024))
        let id = nextSubscriberID
        nextSubscriberID += 1
        pluginSubscribers[name, default: [:]][id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(name: name, id: id) }
        }
        return stream
    }

    /// Whether a welcomed link to the master is up.
    public var isConnected: Bool { link != nil }

    // MARK: - internals

    private func unsubscribe(name: String, id: Int) {
        pluginSubscribers[name]?[id] = nil
        if pluginSubscribers[name]?.isEmpty == true { pluginSubscribers[name] = nil }
    }

    func deliverPlugin(name: String, payload: JSONValue) {
        guard let subscribers = pluginSubscribers[name], !subscribers.isEmpty else {
            logger.debug("plugin message from the master with no local receiver", metadata: ["plugin": .string(name)])
            return
        }
        for continuation in subscribers.values { continuation.yield(payload) }
    }

    func makeLinkID() -> Int {
        nextLinkID += 1
        return nextLinkID
    }

    func linkWelcomed(_ link: WorkerLink) {
        self.link = link
        for observer in linkObservers.values { observer.yield(true) }
    }

    func linkEnded(_ link: WorkerLink) {
        if self.link?.id == link.id {
            self.link = nil
            for observer in linkObservers.values { observer.yield(false) }
        }
    }

    /// Whether a welcomed master link is up: the current state, then every change (the host
    /// agent relay gives back its leases when the link drops). Ends when the consumer stops.
    public func linkStates() -> AsyncStream<Bool> {
        let (stream, continuation) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .bufferingNewest(16))
        let id = nextSubscriberID
        nextSubscriberID += 1
        linkObservers[id] = continuation
        continuation.yield(link != nil)
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeLinkObserver(id) }
        }
        return stream
    }

    private func removeLinkObserver(_ id: Int) { linkObservers[id] = nil }

    nonisolated func emit(_ event: WorkerEvent) {
        eventSink.yield(event)
    }

    /// Connect, serve, back off, again — until cancelled or shut down.
    private func connectLoop(url: String) async throws {
        var backoff = ReconnectBackoff(configuration.reconnect)
        while true {
            try Task.checkCancellation()
            emit(.connecting(url: url))
            let outcome: LinkOutcome
            do {
                outcome = try await connectOnce(url: url)
            } catch {
                try Task.checkCancellation()
                outcome = .unreachable(String(describing: error))
            }
            try Task.checkCancellation()
            let delay: Duration
            switch outcome {
            case .shutdown:
                logger.info("shutting down as the master asked")
                return
            case .refused(let reason):
                emit(.refused(reason: reason))
                delay = backoff.nextDelay()
                logger.error("master at \(configuration.masterURL) refused this worker: \(reason); retrying in \(Self.describe(delay))")
            case .unreachable(let why):
                emit(.disconnected(reason: why))
                delay = backoff.nextDelay()
                logger.info("master unreachable at \(configuration.masterURL), retrying in \(Self.describe(delay))",
                            metadata: ["error": .string(why)])
            case .lost(let wasWelcomed, let why):
                emit(.disconnected(reason: why))
                if wasWelcomed { backoff.reset() }
                delay = backoff.nextDelay()
                logger.warning("link to master at \(configuration.masterURL) lost (\(why)); reconnecting in \(Self.describe(delay))")
            }
            emit(.retrying(after: delay))
            try await Task.sleep(for: delay)
        }
    }

    private func connectOnce(url: String) async throws -> LinkOutcome {
        let result = Mutex<LinkOutcome?>(nil)
        let configuration = WebSocketClientConfiguration(maxFrameSize: WorkerWire.maxFrameBytes, closeTimeout: .seconds(5))
        try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
            let outcome = await self.serve(inbound: inbound, outbound: outbound)
            result.withLock { $0 = outcome }
        }
        return result.withLock { $0 } ?? .lost(welcomed: false, "the master closed the connection")
    }

    static func describe(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : DurationText.describe(seconds)
    }
}

/// How one connection ended.
enum LinkOutcome: Sendable, Equatable {
    case refused(String)
    case unreachable(String)
    case lost(welcomed: Bool, String)
    case shutdown
}
