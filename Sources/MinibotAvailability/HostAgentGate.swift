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
/// Every decision is ``HostGateTable``'s (pure, returning actions); this class carries the
/// actions out. The table lives under one `Mutex`: `admit`, `released`, the selection hook and
/// the plugin's event loop call in from different tasks; no lock is held across an `await`.
final class HostAgentGate: BuildStartGate {
    /// How long `admit` waits for the worker to answer a claim.
    static let claimTimeout: Double = 10

    private let context: any PluginContext
    /// The worker's `host_agent` setting (nil: not set, required when it has an agent).
    private let modeSource: Mutex<@Sendable (String) -> WorkerAvailabilitySettings.HostAgentMode?>
    private let table = Mutex(HostGateTable())
    /// `admit` calls waiting for the worker's answer to a claim, by worker and offer.
    private let claims = Mutex<[String: CheckedContinuation<AgentRelayMessage?, Never>]>([:])

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
        guard let agent = worker.info?.facts[WorkerFacts.agentSocket], !agent.isEmpty, mode(worker.name) != .ignore else {
            return .now(Permit(id: "", requestID: request.id, worker: worker.name))
        }
        let host = worker.info?.hostname ?? worker.name
        let now = context.now()
        let step = table.withLock {
            $0.admit(request, worker: worker.name, agent: agent, host: host, master: context.masterName, now: now)
        }
        switch step {
        case .later(let reason, let until, let actions):
            await perform(actions)
            return .later(reason: reason, until: until)
        case .claim(let offer):
            let answer = await claim(offer, on: worker.name, build: "\(request.builder) request \(request.id)")
            let (admission, actions) = table.withLock {
                $0.claimAnswered(answer, request: request, worker: worker.name, host: host)
            }
            await perform(actions)
            return admission
        }
    }

    func released(_ permit: Permit, result: BuildResult?) async {
        guard let lease = permit.detail["lease"]?.stringValue else { return }
        await perform(table.withLock { $0.released(lease: lease, worker: permit.worker) })
    }

    // MARK: selection

    /// Workers whose agent is unreachable are unavailable; others are left to the gate.
    func verdicts(candidates: [WorkerCandidate]) -> [WorkerVerdict] {
        // Settings first: they live under the plugin's lock, never taken inside this one.
        let gated = candidates.filter { $0.info?.facts[WorkerFacts.agentSocket] != nil && mode($0.name) != .ignore }.map(\.name)
        return table.withLock { $0.unreachable(gated) }
    }

    /// Every worker with an agent: the link, slots, leases and waiting subscriptions (for the hosts page).
    func views() -> [HostAgentView] {
        table.withLock { $0.views() }
    }

    // MARK: events

    func workerAttached(_ snapshot: WorkerSnapshot) {
        table.withLock { $0.workerAttached(snapshot.name, agent: snapshot.info?.facts[WorkerFacts.agentSocket], hostname: snapshot.info?.hostname) }
    }

    /// The worker's relay gave back everything it held for us when the link dropped.
    func workerDetached(_ worker: String) {
        table.withLock { $0.workerDetached(worker) }
    }

    /// A request started (here or elsewhere) or left the pending set: withdraw the rest.
    func requestDone(_ id: Int64) async {
        await perform(table.withLock { $0.requestDone(id) })
    }

    /// An `agent_*` message from a worker's relay.
    func handle(_ payload: JSONValue, from worker: String) async {
        guard let message = AgentRelayMessage(json: payload) else {
            context.log(.warning, "ignoring a malformed host agent message from \(worker)", metadata: ["worker": worker])
            return
        }
        var isFull = false
        if case .offer = message, let snapshot = await context.workers().first(where: { $0.name == worker }) {
            isFull = snapshot.runningBuilds >= snapshot.maxBuilds
        }
        await perform(table.withLock { $0.handle(message, from: worker, workerIsFull: isFull) })
    }

    // MARK: carrying out

    private func perform(_ actions: [HostGateTable.Action]) async {
        for action in actions {
            switch action {
            case .send(let worker, let message):
                await context.send(to: worker, message.json)
            case .wake(let reason):
                context.wake(reason: reason)
            case .log(let level, let message, let worker):
                context.log(level, message, metadata: ["worker": worker])
            case .answerClaim(let worker, let offer, let message):
                let continuation = claims.withLock { $0.removeValue(forKey: Self.claimKey(worker, offer)) }
                continuation?.resume(returning: message)
            case .retryBuild(let request, let reason, let worker):
                if await context.retryBuild(requestID: request, reason: reason) {
                    context.log(.notice, "\(worker): the build of request \(request) stops and will run again with a new slot",
                                metadata: ["worker": worker, "request": "\(request)"])
                }
            }
        }
    }

    private func claim(_ offer: UInt64, on worker: String, build: String) async -> AgentRelayMessage? {
        let key = Self.claimKey(worker, offer)
        let timeout = Task { [context] in
            guard (try? await context.sleep(until: context.now().addingTimeInterval(Self.claimTimeout))) != nil else { return }
            let continuation = claims.withLock { $0.removeValue(forKey: key) }
            continuation?.resume(returning: nil)
        }
        defer { timeout.cancel() }
        return await withCheckedContinuation { continuation in
            claims.withLock { $0[key] = continuation }
            Task { [context] in
                if await !context.send(to: worker, AgentRelayMessage.claim(offer: offer, build: build).json) {
                    let continuation = claims.withLock { $0.removeValue(forKey: key) }
                    continuation?.resume(returning: .claimFailed(offer: offer, error: "worker not connected"))
                }
            }
        }
    }

    private static func claimKey(_ worker: String, _ offer: UInt64) -> String { "\(worker)#\(offer)" }
}
