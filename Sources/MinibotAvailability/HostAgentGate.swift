import Foundation
import MinibotCore
import MinibotProtocol
import Synchronization

/// The master's side of the host agent: a build starts on a worker that has an agent (and
/// `host_agent` is not `ignore`) only with a slot that agent granted.
///
/// Talks to the agent through the worker's relay on the `availability` plugin channel
/// (contract: `AgentRelayWire.swift`). `admit` claims an offer that is out for the request on
/// that worker; otherwise it makes sure a subscription exists and answers `.later` with the
/// agent's latest reason. Offers wake the distributor. First grant wins: once a request starts
/// (or goes away), its other subscriptions are withdrawn, and a late offer is declined.
///
/// State lives under one `Mutex`: `admit`, `released`, the selection hook and the plugin's
/// event loop call in from different tasks; no lock is held across an `await`.
final class HostAgentGate: BuildStartGate {
    /// How long `admit` waits for the worker to answer a claim.
    static let claimTimeout: Double = 10

    struct Subscription: Sendable {
        var name: String
        var reason: String?
        var until: Date?
        var offer: (id: UInt64, expiresAt: Date)?
    }

    enum AgentLink: Sendable, Equatable {
        case unknown
        case connected
        case unreachable(String)
    }

    struct WorkerRecord: Sendable {
        var agentPath: String?
        var hostname: String?
        var link: AgentLink = .unknown
        /// By request id.
        var subscriptions: [Int64: Subscription] = [:]
    }

    struct State: Sendable {
        var workers: [String: WorkerRecord] = [:]
        /// Requests that started (or left the pending set), newest last: offers for them are declined.
        var done: [Int64] = []
        var doneSet: Set<Int64> = []
        var claims: [String: CheckedContinuation<AgentRelayMessage?, Never>] = [:]
        /// The request each granted lease is running, until its permit is released.
        var leaseRequests: [String: Int64] = [:]

        mutating func markDone(_ id: Int64) {
            guard doneSet.insert(id).inserted else { return }
            done.append(id)
            if done.count > 4096 { doneSet.remove(done.removeFirst()) }
        }
    }

    private let context: any PluginContext
    /// The worker's `host_agent` setting (nil: not set, required when it has an agent).
    private let modeSource: Mutex<@Sendable (String) -> WorkerAvailabilitySettings.HostAgentMode?>
    private let state = Mutex(State())

    init(context: any PluginContext,
         mode: @escaping @Sendable (String) -> WorkerAvailabilitySettings.HostAgentMode? = { _ in nil }) {
        self.context = context
        self.modeSource = Mutex(mode)
    }

    /// Where the `host_agent` settings come from (the plugin sets it once it is built).
    func setModeSource(_ source: @escaping @Sendable (String) -> WorkerAvailabilitySettings.HostAgentMode?) {
        modeSource.withLock { $0 = source }
    }

    private func mode(_ worker: String) -> WorkerAvailabilitySettings.HostAgentMode? {
        let source = modeSource.withLock { $0 }
        return source(worker)
    }

    // MARK: BuildStartGate

    func admit(_ request: PendingRequest, on worker: WorkerCandidate) async -> Admission {
        guard let agent = worker.info?.agent, !agent.isEmpty, mode(worker.name) != .ignore else {
            return .now(Permit(id: "", requestID: request.id, worker: worker.name))
        }
        let host = worker.info?.hostname ?? worker.name
        let now = context.now()
        enum Step { case claim(UInt64), subscribe, wait(String?, Date?), unreachable(String) }
        let step = state.withLock { state -> Step in
            var record = state.workers[worker.name] ?? WorkerRecord()
            record.agentPath = agent
            record.hostname = host
            defer { state.workers[worker.name] = record }
            if case .unreachable(let why) = record.link { return .unreachable(why) }
            guard var sub = record.subscriptions[request.id] else {
                record.subscriptions[request.id] = Subscription(name: Self.subscriptionName(request.id))
                return .subscribe
            }
            if let offer = sub.offer {
                sub.offer = nil
                record.subscriptions[request.id] = sub
                if offer.expiresAt > now { return .claim(offer.id) }
            }
            return .wait(sub.reason, sub.until)
        }
        switch step {
        case .unreachable(let why):
            return .later(reason: "host agent unreachable on \(host): \(why)", until: nil)
        case .subscribe:
            await context.send(to: worker.name, AgentRelayMessage.subscribe(
                subscription: Self.subscriptionName(request.id), master: context.masterName, builder: request.builder,
                priority: request.priority, since: request.submittedAt).json)
            return .later(reason: "waiting for host agent on \(host): asking for a slot", until: nil)
        case .wait(let reason, let until):
            return .later(reason: "waiting for host agent on \(host): \(reason ?? "asking for a slot")", until: until)
        case .claim(let offer):
            switch await claim(offer, on: worker.name, build: "\(request.builder) request \(request.id)") {
            case .lease(_, let lease)?:
                state.withLock {
                    $0.workers[worker.name]?.subscriptions[request.id] = nil
                    $0.leaseRequests[lease.lease] = request.id
                }
                context.log(.info, "host agent on \(host) granted a slot", metadata: [
                    "worker": worker.name, "builder": request.builder, "request": "\(request.id)", "token": "\(lease.token)"])
                return .now(Permit(id: lease.lease, requestID: request.id, worker: worker.name, detail: .object([
                    "lease": .string(lease.lease), "token": .number(Double(lease.token)), "host": .string(host)])))
            case .claimFailed(_, let error)?:
                return .later(reason: "waiting for host agent on \(host): claim failed (\(error))", until: nil)
            default:
                return .later(reason: "waiting for host agent on \(host): no answer to a claim", until: nil)
            }
        }
    }

    func released(_ permit: Permit, result: BuildResult?) async {
        guard let lease = permit.detail["lease"]?.stringValue else { return }
        _ = state.withLock { $0.leaseRequests.removeValue(forKey: lease) }
        await context.send(to: permit.worker, AgentRelayMessage.release(lease: lease).json)
    }

    // MARK: selection

    /// Workers whose agent is unreachable are unavailable; others are left to the gate.
    func verdicts(candidates: [WorkerCandidate]) -> [WorkerVerdict] {
        // Settings first: they live under the plugin's lock, never taken inside this one.
        let gated = candidates.filter { $0.info?.agent != nil && mode($0.name) != .ignore }.map(\.name)
        return state.withLock { state in
            gated.compactMap { name in
                guard case .unreachable(let why)? = state.workers[name]?.link else { return nil }
                return .unavailable(name, reason: "host agent unreachable (\(why))")
            }
        }
    }

    // MARK: events

    func workerAttached(_ snapshot: WorkerSnapshot) {
        state.withLock { state in
            // The relay's first message may have overtaken the attach event: keep what it said.
            state.workers[snapshot.name, default: WorkerRecord()].agentPath = snapshot.info?.agent
            state.workers[snapshot.name, default: WorkerRecord()].hostname = snapshot.info?.hostname
        }
    }

    /// The worker's relay gave back everything it held for us when the link dropped.
    func workerDetached(_ worker: String) {
        state.withLock { $0.workers[worker] = nil }
    }

    /// A request started (here or elsewhere) or left the pending set: withdraw the rest.
    func requestDone(_ id: Int64) async {
        let withdrawals = state.withLock { state -> [String] in
            state.markDone(id)
            var names: [String] = []
            for (worker, record) in state.workers where record.subscriptions[id] != nil {
                state.workers[worker]?.subscriptions[id] = nil
                names.append(worker)
            }
            return names
        }
        for worker in withdrawals {
            await context.send(to: worker, AgentRelayMessage.withdraw(subscription: Self.subscriptionName(id)).json)
        }
    }

    /// An `agent_*` message from a worker's relay.
    func handle(_ payload: JSONValue, from worker: String) async {
        guard let message = AgentRelayMessage(json: payload) else {
            context.log(.warning, "ignoring a malformed host agent message from \(worker)", metadata: ["worker": worker])
            return
        }
        switch message {
        case .connected:
            // The relay may have missed subscriptions (e.g. sent before it listened): re-send them.
            let resend = state.withLock { state -> [(Int64, String)] in
                state.workers[worker, default: WorkerRecord()].link = .connected
                return state.workers[worker]?.subscriptions.map { ($0.key, $0.value.name) } ?? []
            }
            context.log(.info, "\(worker): host agent connected", metadata: ["worker": worker])
            for (id, _) in resend { resubscribe(id, on: worker) }
            context.wake(reason: "host agent of \(worker) connected")
        case .unreachable(let reason):
            let changed = state.withLock { state -> Bool in
                let was = state.workers[worker]?.link
                state.workers[worker, default: WorkerRecord()].link = .unreachable(reason)
                for id in state.workers[worker]?.subscriptions.keys.map({ $0 }) ?? [] {
                    state.workers[worker]?.subscriptions[id]?.offer = nil
                }
                if case .unreachable? = was { return false }
                return true
            }
            if changed { context.log(.warning, "\(worker): host agent unreachable: \(reason)", metadata: ["worker": worker]) }
        case .waiting(let name, let reason, let until):
            guard let id = Self.requestID(name) else { return }
            let changed = state.withLock { state -> Bool in
                guard var sub = state.workers[worker]?.subscriptions[id] else { return false }
                let changed = sub.reason != reason || sub.until != until
                sub.reason = reason
                sub.until = until
                state.workers[worker]?.subscriptions[id] = sub
                return changed
            }
            // The distributor shows the reason it got from `admit`: ask again so it is current.
            if changed { context.wake(reason: "host agent of \(worker): \(reason)") }
        case .offer(let offer, let name, let expiresAt):
            guard let id = Self.requestID(name) else { return }
            // A worker that filled up since it subscribed (another build took its last slot)
            // cannot use the offer: hand the slot on at once instead of letting the offer time
            // out, and withdraw; the request subscribes again, with its original age, once the
            // worker is free.
            if let snapshot = await context.workers().first(where: { $0.name == worker }),
               snapshot.runningBuilds >= snapshot.maxBuilds {
                let subscribed = state.withLock { $0.workers[worker]?.subscriptions.removeValue(forKey: id) != nil }
                await context.send(to: worker, AgentRelayMessage.decline(offer: offer).json)
                if subscribed { await context.send(to: worker, AgentRelayMessage.withdraw(subscription: name).json) }
                return
            }
            let wanted = state.withLock { state -> Bool in
                guard !state.doneSet.contains(id), state.workers[worker]?.subscriptions[id] != nil else { return false }
                state.workers[worker]?.subscriptions[id]?.offer = (offer, expiresAt)
                state.workers[worker]?.subscriptions[id]?.reason = "slot offered"
                return true
            }
            if wanted {
                context.wake(reason: "host agent of \(worker) offered a slot for request \(id)")
            } else {
                // First grant wins: the request started elsewhere; the slot goes to the next subscriber.
                await context.send(to: worker, AgentRelayMessage.decline(offer: offer).json)
            }
        case .offerWithdrawn(let offer, let name, let reason):
            guard let id = Self.requestID(name) else { return }
            state.withLock { state in
                if state.workers[worker]?.subscriptions[id]?.offer?.id == offer {
                    state.workers[worker]?.subscriptions[id]?.offer = nil
                    state.workers[worker]?.subscriptions[id]?.reason = "offer withdrawn (\(reason))"
                }
            }
        case .lease(let offer, _), .claimFailed(let offer, _):
            let continuation = state.withLock { $0.claims.removeValue(forKey: Self.claimKey(worker, offer)) }
            continuation?.resume(returning: message)
        case .leaseLost(let lease, let build, let reason):
            // The build runs without its slot: the agent may give the slot to another build
            // and overload the host. Like a vacated job in HTCondor, it stops and runs again
            // (RETRY) once the agent grants a slot anew.
            context.log(.warning, "\(worker): host agent lease \(lease) of \(build) lost: \(reason)", metadata: ["worker": worker])
            guard let request = state.withLock({ $0.leaseRequests.removeValue(forKey: lease) }) else { return }
            if await context.retryBuild(requestID: request, reason: "host agent slot lost (\(reason))") {
                context.log(.notice, "\(worker): the build of request \(request) stops and will run again with a new slot",
                            metadata: ["worker": worker, "request": "\(request)"])
            }
        case .subscribe, .withdraw, .claim, .decline, .release:
            context.log(.warning, "ignoring a master-to-worker relay message sent by \(worker)", metadata: ["worker": worker])
        }
    }

    // MARK: helpers

    private func resubscribe(_ id: Int64, on worker: String) {
        // Only the request id is kept per subscription; the builder and priority come back with the
        // next admit. Withdrawing makes that admit subscribe afresh with the request's facts.
        state.withLock { _ = $0.workers[worker]?.subscriptions.removeValue(forKey: id) }
    }

    private func claim(_ offer: UInt64, on worker: String, build: String) async -> AgentRelayMessage? {
        let key = Self.claimKey(worker, offer)
        let timeout = Task {
            try? await Task.sleep(for: .seconds(Self.claimTimeout))
            let continuation = state.withLock { $0.claims.removeValue(forKey: key) }
            continuation?.resume(returning: nil)
        }
        defer { timeout.cancel() }
        return await withCheckedContinuation { continuation in
            state.withLock { $0.claims[key] = continuation }
            Task { [context] in
                if await !context.send(to: worker, AgentRelayMessage.claim(offer: offer, build: build).json) {
                    let continuation = state.withLock { $0.claims.removeValue(forKey: key) }
                    continuation?.resume(returning: .claimFailed(offer: offer, error: "worker not connected"))
                }
            }
        }
    }

    static func subscriptionName(_ request: Int64) -> String { "request-\(request)" }

    static func requestID(_ subscription: String) -> Int64? {
        subscription.hasPrefix("request-") ? Int64(subscription.dropFirst("request-".count)) : nil
    }

    private static func claimKey(_ worker: String, _ offer: UInt64) -> String { "\(worker)#\(offer)" }
}
