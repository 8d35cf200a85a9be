import Foundation
import Logging
import ServiceLifecycle

/// The worker's side of the host agent link: subscribe, receive offers, claim a lease, keep it
/// renewed while the build runs, release it.
///
/// A worker makes one client per agent socket and runs it as a `Service` (`run()` connects,
/// reconnects with capped exponential backoff, and ends when cancelled or gracefully shut down).
/// Callers on any task use the actor's methods; events arrive on the single-consumer `events`
/// stream. The client remembers its subscriptions and leases: after a reconnect it re-registers
/// every lease it still holds, then subscribes again, so an agent restart loses nothing.
///
/// Typical order: `subscribe` → `.offered` event → `claim` (or `decline`) → build runs (the
/// client renews every leaseTTL/3) → `release`. `withdraw` whenever the master no longer needs
/// the slot (e.g. the build started through another agent).
public actor AgentClient: Service {
    /// Where the agent is and how patiently to talk to it.
    public struct Configuration: Sendable {
        public var socketPath: String
        /// Shown in the agent's logs, usually the worker's name.
        public var clientName: String
        public var initialBackoff: TimeInterval
        public var maxBackoff: TimeInterval
        /// How long a request waits for its reply before failing with `timeout`.
        public var requestTimeout: TimeInterval

        public init(socketPath: String, clientName: String, initialBackoff: TimeInterval = 0.5,
                    maxBackoff: TimeInterval = 30, requestTimeout: TimeInterval = 10) {
            self.socketPath = socketPath
            self.clientName = clientName
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.requestTimeout = requestTimeout
        }
    }

    /// One build request that wants a slot on this host.
    public struct Subscription: Sendable, Equatable {
        /// Unique among this client's subscriptions; offers name it.
        public var name: String
        public var master: String
        public var worker: String
        public var builder: String
        public var priority: Int
        /// When the master's request was submitted (its age orders equal priorities).
        public var since: Date?

        public init(name: String, master: String, worker: String, builder: String, priority: Int = 0, since: Date? = nil) {
            self.name = name; self.master = master; self.worker = worker
            self.builder = builder; self.priority = priority; self.since = since
        }
    }

    /// What the agent told us, or what happened to the link.
    public enum Event: Sendable, Equatable {
        /// Connected and greeted (again); leases and subscriptions are being re-sent.
        case connected(AgentEvent.Welcome)
        /// The agent cannot be reached; the client keeps retrying. Held leases keep running
        /// until the agent says otherwise, but new builds cannot be admitted.
        case unreachable(String)
        case offered(AgentEvent.Offer)
        case offerWithdrawn(AgentEvent.OfferWithdrawn)
        case waiting(AgentEvent.Waiting)
        /// The lease is gone (expired, or refused on renewal): the build no longer has its slot.
        case leaseLost(AgentLease, reason: String)
        /// The agent renewed a lease; it now expires at the lease's `expiresAt`.
        case leaseRenewed(AgentLease)
    }

    public let configuration: Configuration
    /// Events in arrival order; iterate from one task.
    public nonisolated let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation
    private let logger: Logger

    private var outbound: LineOutbound<AgentRequest>?
    private var welcome: AgentEvent.Welcome?
    private var subscriptions: [String: Subscription] = [:]
    private var leases: [String: AgentLease] = [:]
    private var nextRequestID = 1
    private var helloID: Int?
    private var pending: [Int: CheckedContinuation<AgentEvent, any Error>] = [:]
    private var timeouts: [Int: Task<Void, Never>] = [:]
    /// Requests whose reply may arrive while `send` is still suspended.
    private var awaiting: Set<Int> = []
    private var early: [Int: AgentEvent] = [:]
    /// Fire-and-forget requests about a lease (renew, reregister), by request id.
    private var leaseRequests: [Int: String] = [:]

    public init(configuration: Configuration, logger: Logger = Logger(label: "minibot.agent-client")) {
        self.configuration = configuration
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
    }

    /// Whether the agent is connected and has answered hello.
    public var isConnected: Bool { welcome != nil }

    /// The leases this client holds and renews.
    public var heldLeases: [AgentLease] { leases.values.sorted { $0.token < $1.token } }

    // MARK: the link

    /// Connects, serves the link, and reconnects with capped exponential backoff until cancelled
    /// or gracefully shut down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var backoff = self.configuration.initialBackoff
            while !Task.isCancelled {
                var reason = "connection closed"
                do {
                    try await LineChannel.connect(to: self.configuration.socketPath,
                                                  receiving: AgentEvent.self, sending: AgentRequest.self) { connection in
                        await self.attach(connection.outbound)
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                for try await line in connection.inbound { await self.received(line) }
                            }
                            group.addTask { try await self.renewalLoop() }
                            try await group.next()
                            group.cancelAll()
                        }
                    }
                } catch {
                    reason = "\(error)"
                }
                if await self.detach(reason: reason) { backoff = self.configuration.initialBackoff }
                guard (try? await Task.sleep(for: .seconds(backoff))) != nil else { break }
                backoff = min(backoff * 2, self.configuration.maxBackoff)
            }
        }
        eventSink.finish()
    }

    private func attach(_ outbound: LineOutbound<AgentRequest>) async {
        self.outbound = outbound
        let id = takeRequestID()
        helloID = id
        try? await outbound.send(.hello(.init(id: id, client: configuration.clientName)))
    }

    /// Returns whether the link had been greeted (then the backoff starts over).
    private func detach(reason: String) -> Bool {
        let wasGreeted = welcome != nil
        outbound = nil
        welcome = nil
        helloID = nil
        leaseRequests = [:]
        for (id, continuation) in pending {
            timeouts.removeValue(forKey: id)?.cancel()
            continuation.resume(throwing: AgentClientError.unreachable(configuration.socketPath))
        }
        pending = [:]
        awaiting = []
        early = [:]
        logger.debug("agent unreachable", metadata: ["reason": "\(reason)"])
        eventSink.yield(.unreachable(reason))
        return wasGreeted
    }

    private func renewalLoop() async throws {
        while true {
            // Before the welcome the TTL is unknown: check again soon rather than sleep long.
            let ttl = welcome?.leaseTTL ?? 1
            try await Task.sleep(for: .seconds(max(ttl / 3, 0.05)))
            guard let outbound, welcome != nil else { continue }
            for lease in leases.values {
                let id = takeRequestID()
                leaseRequests[id] = lease.lease
                try? await outbound.send(.renew(.init(id: id, lease: lease.lease, token: lease.token)))
            }
        }
    }

    private func received(_ line: Result<AgentEvent, LineChannelError>) async {
        guard case .success(let event) = line else {
            logger.warning("unreadable line from agent", metadata: ["error": "\(line)"])
            return
        }
        if let replyTo = event.replyTo {
            if replyTo == helloID, case .welcome(let welcome) = event {
                await greeted(welcome)
            } else if replyTo == helloID {
                // E.g. a protocol version mismatch: retrying will not help, so say it loudly.
                logger.error("host agent refused hello", metadata: ["reply": "\(event)"])
            } else if let lease = leaseRequests.removeValue(forKey: replyTo) {
                leaseReplied(lease, event)
            } else if let continuation = pending.removeValue(forKey: replyTo) {
                timeouts.removeValue(forKey: replyTo)?.cancel()
                awaiting.remove(replyTo)
                continuation.resume(returning: event)
            } else if awaiting.contains(replyTo) {
                early[replyTo] = event
            }
            return
        }
        switch event {
        case .offer(let offer): eventSink.yield(.offered(offer))
        case .offerWithdrawn(let withdrawn): eventSink.yield(.offerWithdrawn(withdrawn))
        case .waiting(let waiting): eventSink.yield(.waiting(waiting))
        case .leaseExpired(let expired):
            if let lease = leases[expired.lease], lease.token == expired.token {
                leases[expired.lease] = nil
                eventSink.yield(.leaseLost(lease, reason: "lease expired at the agent"))
            }
        default: break
        }
    }

    private func greeted(_ welcome: AgentEvent.Welcome) async {
        self.welcome = welcome
        logger.info("connected to host agent", metadata: ["agent": "\(welcome.agent)", "slots": "\(welcome.slots)"])
        eventSink.yield(.connected(welcome))
        guard let outbound else { return }
        // Leases first: a restarted agent must count running builds before it offers anything.
        for lease in leases.values {
            let id = takeRequestID()
            leaseRequests[id] = lease.lease
            try? await outbound.send(.reregister(.init(id: id, lease: lease)))
        }
        for subscription in subscriptions.values.sorted(by: { $0.name < $1.name }) {
            try? await outbound.send(request(subscription, id: takeRequestID()))
        }
    }

    private func leaseReplied(_ name: String, _ event: AgentEvent) {
        switch event {
        case .renewed(let renewed):
            leases[name]?.expiresAt = renewed.expiresAt
            if let lease = leases[name] { eventSink.yield(.leaseRenewed(lease)) }
        case .refused(let refused):
            if let lease = leases.removeValue(forKey: name) {
                logger.warning("lease lost", metadata: ["lease": "\(name)", "reason": "\(refused.message)"])
                eventSink.yield(.leaseLost(lease, reason: "\(refused.code): \(refused.message)"))
            }
        default: break
        }
    }

    // MARK: requests

    /// Asks for a slot. Remembered and re-sent after reconnects; while the agent is unreachable
    /// this returns at once and the subscription is sent when it comes back.
    public func subscribe(_ subscription: Subscription) async throws {
        subscriptions[subscription.name] = subscription
        guard isConnected else { return }
        try expectOK(try await call { self.request(subscription, id: $0) })
    }

    /// Gives up a subscription (and its offer, if one is out). Never fails for lack of a link:
    /// subscriptions die with their connection anyway.
    public func withdraw(_ name: String) async throws {
        guard subscriptions.removeValue(forKey: name) != nil, isConnected else { return }
        try expectOK(try await call { .withdraw(.init(id: $0, subscription: name)) })
    }

    /// Takes an offered slot for `build`; the lease is renewed in the background until `release`.
    public func claim(_ offer: AgentEvent.Offer, build: String) async throws -> AgentLease {
        let reply = try await call { .claim(.init(id: $0, offer: offer.offer, build: build)) }
        guard case .lease(let granted) = reply else { throw Self.failure(reply) }
        subscriptions[offer.subscription] = nil
        leases[granted.lease.lease] = granted.lease
        return granted.lease
    }

    /// Refuses an offer (the master started elsewhere); the subscription ends with it.
    public func decline(_ offer: AgentEvent.Offer) async throws {
        subscriptions[offer.subscription] = nil
        guard isConnected else { return }
        try expectOK(try await call { .decline(.init(id: $0, offer: offer.offer)) })
    }

    /// Gives the slot back when the build ends. Best effort: without a link the lease simply
    /// expires at the agent, since the client stops renewing it at once.
    public func release(_ lease: AgentLease) async {
        leases[lease.lease] = nil
        guard isConnected else { return }
        do {
            try expectOK(try await call { .release(.init(id: $0, lease: lease.lease, token: lease.token)) })
        } catch {
            logger.debug("release not acknowledged", metadata: ["lease": "\(lease.lease)", "error": "\(error)"])
        }
    }

    /// The agent's status report.
    public func status() async throws -> AgentStatus {
        let reply = try await call { .status(.init(id: $0)) }
        guard case .status(let status) = reply else { throw Self.failure(reply) }
        return status.report
    }

    private func call(_ make: (Int) -> AgentRequest) async throws -> AgentEvent {
        guard let outbound, isConnected else { throw AgentClientError.unreachable(configuration.socketPath) }
        let id = takeRequestID()
        awaiting.insert(id)
        do {
            try await outbound.send(make(id))
        } catch {
            awaiting.remove(id)
            throw AgentClientError.unreachable(configuration.socketPath)
        }
        // The actor is re-entered while `send` is suspended: the reply may already be here.
        if let reply = early.removeValue(forKey: id) {
            awaiting.remove(id)
            return reply
        }
        guard awaiting.contains(id) else { throw AgentClientError.unreachable(configuration.socketPath) }
        let timeout = configuration.requestTimeout
        return try await withCheckedThrowingContinuation { continuation in
            pending[id] = continuation
            timeouts[id] = Task {
                try? await Task.sleep(for: .seconds(timeout))
                if !Task.isCancelled { self.timedOut(id) }
            }
        }
    }

    private func timedOut(_ id: Int) {
        timeouts[id] = nil
        awaiting.remove(id)
        pending.removeValue(forKey: id)?.resume(throwing: AgentClientError(
            code: "timeout", message: "host agent did not answer within \(configuration.requestTimeout) s"))
    }

    private func takeRequestID() -> Int {
        defer { nextRequestID += 1 }
        return nextRequestID
    }

    private nonisolated func request(_ subscription: Subscription, id: Int) -> AgentRequest {
        .subscribe(.init(id: id, subscription: subscription.name, master: subscription.master, worker: subscription.worker,
                         builder: subscription.builder, priority: subscription.priority, since: subscription.since))
    }

    private func expectOK(_ reply: AgentEvent) throws {
        guard case .ok = reply else { throw Self.failure(reply) }
    }

    private static func failure(_ reply: AgentEvent) -> AgentClientError {
        if case .refused(let refused) = reply { return AgentClientError(code: refused.code, message: refused.message) }
        return AgentClientError(code: "protocol", message: "unexpected reply \(reply)")
    }
}
