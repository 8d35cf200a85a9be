import Foundation
import MinibotCore
import MinibotProtocol

/// The master's side of the host agent as a pure table: which subscriptions are out for which
/// requests on which workers, which offers are waiting to be claimed, which lease runs which
/// request. It mirrors the agent's ``ArbiterStateMachine`` from the other end of the relay.
///
/// Every method takes what happened and returns the ``Action``s to carry out; the
/// ``HostAgentGate`` holds it under a lock, sends the relay messages, wakes the distributor and
/// resumes claims. No I/O and no clock of its own: `now` is an argument.
struct HostGateTable: Sendable {
    /// What the gate must do.
    enum Action: Sendable, Equatable {
        /// Send a relay message to the worker.
        case send(worker: String, AgentRelayMessage)
        /// Wake the distributor: something changed that `admit` would answer differently.
        case wake(String)
        case log(PluginLogLevel, String, worker: String)
        /// The worker answered the claim of `offer`: hand the answer to the waiting `admit`.
        case answerClaim(worker: String, offer: UInt64, AgentRelayMessage)
        /// The build of `request` lost its slot: stop it so that it runs again.
        case retryBuild(request: Int64, reason: String, worker: String)
    }

    /// What `admit` does next.
    enum AdmitStep: Sendable, Equatable {
        /// An offer is out for the request on that worker: claim it.
        case claim(offer: UInt64)
        /// Not now, for this reason (after carrying out `actions`).
        case later(reason: String, until: Date?, actions: [Action])
    }

    struct Subscription: Sendable, Equatable {
        var name: String
        var reason: String?
        var until: Date?
        var offer: Offer?
    }

    struct Offer: Sendable, Equatable {
        var id: UInt64
        var expiresAt: Date
    }

    enum AgentLink: Sendable, Equatable {
        case unknown
        case connected
        case unreachable(String)
    }

    struct WorkerRecord: Sendable, Equatable {
        var agentPath: String?
        var hostname: String?
        var link: AgentLink = .unknown
        /// The agent's slots, as its relay announced them on connecting.
        var slots: Int?
        /// By request id.
        var subscriptions: [Int64: Subscription] = [:]
    }

    /// How many ended requests are remembered, to decline their late offers.
    static let doneMemory = 4096

    private(set) var workers: [String: WorkerRecord] = [:]
    /// Requests that started (or left the pending set), oldest first: offers for them are declined.
    private var done: [Int64] = []
    private var doneSet: Set<Int64> = []
    /// The request each granted lease is running, until its permit is released.
    private(set) var leaseRequests: [String: Int64] = [:]
    /// The worker each granted lease was claimed through, until its permit is released.
    private(set) var leaseWorkers: [String: String] = [:]

    // MARK: admission

    /// A request would start on a worker that has an agent: claim its offer, or subscribe,
    /// or say what it waits for.
    mutating func admit(_ request: PendingRequest, worker: String, agent: String, host: String, master: String,
                        now: Date) -> AdmitStep {
        // A request admitted is pending again, even if it started before: a build that ended
        // RETRY (its worker died, its lease was lost) puts it back. Offers for it are welcome
        // again; without this, every later offer was declined as late and it never restarted.
        if doneSet.remove(request.id) != nil { done.removeAll { $0 == request.id } }
        var record = workers[worker] ?? WorkerRecord()
        record.agentPath = agent
        record.hostname = host
        defer { workers[worker] = record }
        if case .unreachable(let why) = record.link {
            return .later(reason: "host agent unreachable on \(host): \(why)", until: nil, actions: [])
        }
        guard var sub = record.subscriptions[request.id] else {
            let name = Self.subscriptionName(request.id)
            record.subscriptions[request.id] = Subscription(name: name)
            return .later(reason: "waiting for host agent on \(host): asking for a slot", until: nil, actions: [
                .send(worker: worker, .subscribe(subscription: name, master: master, builder: request.builder,
                                                 priority: request.priority, since: request.submittedAt)),
            ])
        }
        if let offer = sub.offer {
            sub.offer = nil
            record.subscriptions[request.id] = sub
            if offer.expiresAt > now { return .claim(offer: offer.id) }
        }
        return .later(reason: "waiting for host agent on \(host): \(sub.reason ?? "asking for a slot")",
                      until: sub.until, actions: [])
    }

    /// The worker answered a claim (nil: it did not answer in time).
    mutating func claimAnswered(_ answer: AgentRelayMessage?, request: PendingRequest, worker: String,
                                host: String) -> (Admission, [Action]) {
        switch answer {
        case .lease(_, let lease)?:
            workers[worker]?.subscriptions[request.id] = nil
            leaseRequests[lease.lease] = request.id
            leaseWorkers[lease.lease] = worker
            let permit = Permit(id: lease.lease, requestID: request.id, worker: worker, detail: .object([
                "lease": .string(lease.lease), "token": .number(Double(lease.token)), "host": .string(host)]))
            return (.now(permit), [.log(.info, "host agent on \(host) granted a slot to request \(request.id) "
                                        + "(token \(lease.token))", worker: worker)])
        case .claimFailed(_, let error)?:
            return (.later(reason: "waiting for host agent on \(host): claim failed (\(error))", until: nil), [])
        default:
            return (.later(reason: "waiting for host agent on \(host): no answer to a claim", until: nil), [])
        }
    }

    /// The build of a granted lease ended (or never started): give the slot back.
    mutating func released(lease: String, worker: String) -> [Action] {
        leaseRequests[lease] = nil
        leaseWorkers[lease] = nil
        return [.send(worker: worker, .release(lease: lease))]
    }

    /// Which of these gated workers cannot take builds because their agent is unreachable.
    func unreachable(_ gated: [String]) -> [WorkerVerdict] {
        gated.compactMap { name in
            guard case .unreachable(let why)? = workers[name]?.link else { return nil }
            return .unavailable(name, reason: "host agent unreachable (\(why))")
        }
    }

    // MARK: worker and request events

    mutating func workerAttached(_ name: String, agent: String?, hostname: String?) {
        // The relay's first message may have overtaken the attach event: keep what it said.
        workers[name, default: WorkerRecord()].agentPath = agent
        workers[name, default: WorkerRecord()].hostname = hostname
    }

    /// The worker's relay gave back everything it held for us when the link dropped.
    mutating func workerDetached(_ name: String) {
        workers[name] = nil
    }

    /// A request started (here or elsewhere) or left the pending set: withdraw the rest.
    mutating func requestDone(_ id: Int64) -> [Action] {
        if doneSet.insert(id).inserted {
            done.append(id)
            if done.count > Self.doneMemory { doneSet.remove(done.removeFirst()) }
        }
        var actions: [Action] = []
        for (worker, record) in workers.sorted(by: { $0.key < $1.key }) where record.subscriptions[id] != nil {
            workers[worker]?.subscriptions[id] = nil
            actions.append(.send(worker: worker, .withdraw(subscription: Self.subscriptionName(id))))
        }
        return actions
    }

    // MARK: relay messages

    /// A relay message from a worker. `workerIsFull` tells, for an offer, whether the worker
    /// has no free build slot any more.
    mutating func handle(_ message: AgentRelayMessage, from worker: String, workerIsFull: Bool) -> [Action] {
        switch message {
        case .connected(_, let slots):
            workers[worker, default: WorkerRecord()].link = .connected
            workers[worker]?.slots = slots
            // The relay may have missed subscriptions (sent before it listened): forget them, so
            // the next admit subscribes afresh with the request's builder and priority.
            workers[worker]?.subscriptions = [:]
            return [.log(.info, "\(worker): host agent connected", worker: worker),
                    .wake("host agent of \(worker) connected")]
        case .unreachable(let reason):
            let was = workers[worker]?.link
            workers[worker, default: WorkerRecord()].link = .unreachable(reason)
            for id in workers[worker]?.subscriptions.keys.map({ $0 }) ?? [] {
                workers[worker]?.subscriptions[id]?.offer = nil
            }
            if case .unreachable? = was { return [] }
            return [.log(.warning, "\(worker): host agent unreachable: \(reason)", worker: worker)]
        case .waiting(let name, let reason, let until):
            guard let id = Self.requestID(name), var sub = workers[worker]?.subscriptions[id] else { return [] }
            let changed = sub.reason != reason || sub.until != until
            sub.reason = reason
            sub.until = until
            workers[worker]?.subscriptions[id] = sub
            // The distributor shows the reason it got from `admit`: ask again so it is current.
            return changed ? [.wake("host agent of \(worker): \(reason)")] : []
        case .offer(let offer, let name, let expiresAt):
            guard let id = Self.requestID(name) else { return [] }
            if workerIsFull {
                // A worker that filled up since it subscribed cannot use the offer: hand the slot
                // on at once instead of letting the offer time out, and withdraw; the request
                // subscribes again, with its original age, once the worker is free. "Full" may
                // be this very request's start in flight (the distributor counts it while it
                // asks the gate), which frees the worker without any event: wake the
                // distributor, so the request is admitted again rather than waiting for ever.
                let subscribed = workers[worker]?.subscriptions.removeValue(forKey: id) != nil
                return [.send(worker: worker, .decline(offer: offer))]
                    + (subscribed ? [.send(worker: worker, .withdraw(subscription: name)),
                                     .wake("host agent of \(worker) offered a slot while it was full: request \(id) asks again")]
                        : [])
            }
            if doneSet.contains(id) {
                // First grant wins: the request started elsewhere; the slot goes to the next subscriber.
                return [.send(worker: worker, .decline(offer: offer))]
            }
            guard workers[worker]?.subscriptions[id] != nil else {
                // Not subscribed here any more (forgotten when the relay reconnected, say) while
                // the request may still wait: hand the slot on, and let the distributor admit
                // it again so it subscribes afresh instead of waiting for an offer that the
                // agent no longer owes it.
                return [.send(worker: worker, .decline(offer: offer)),
                        .wake("host agent of \(worker) offered a slot for request \(id), not subscribed there")]
            }
            workers[worker]?.subscriptions[id]?.offer = Offer(id: offer, expiresAt: expiresAt)
            workers[worker]?.subscriptions[id]?.reason = "slot offered"
            return [.wake("host agent of \(worker) offered a slot for request \(id)")]
        case .offerWithdrawn(let offer, let name, _):
            // The agent drops a subscription whose offer went unclaimed: forget it, so the next
            // admit subscribes again (with the request's own age, so it keeps its place). A
            // withdrawal of an older offer than the one held is stale.
            guard let id = Self.requestID(name), let sub = workers[worker]?.subscriptions[id] else { return [] }
            if let held = sub.offer, held.id != offer { return [] }
            workers[worker]?.subscriptions[id] = nil
            return [.wake("host agent of \(worker) withdrew its offer for request \(id)")]
        case .lease(let offer, _), .claimFailed(let offer, _):
            return [.answerClaim(worker: worker, offer: offer, message)]
        case .leaseLost(let lease, let build, let reason):
            // The build runs without its slot: the agent may give the slot to another build and
            // overload the host. Like a vacated job in HTCondor, it stops and runs again (RETRY)
            // once the agent grants a slot anew.
            var actions: [Action] = [.log(.warning, "\(worker): host agent lease \(lease) of \(build) lost: \(reason)",
                                          worker: worker)]
            leaseWorkers[lease] = nil
            if let request = leaseRequests.removeValue(forKey: lease) {
                actions.append(.retryBuild(request: request, reason: "host agent slot lost (\(reason))", worker: worker))
            }
            return actions
        case .subscribe, .withdraw, .claim, .decline, .release:
            return [.log(.warning, "ignoring a master-to-worker relay message sent by \(worker)", worker: worker)]
        }
    }

    // MARK: views

    /// Every worker with an agent, by name: what the hosts page shows.
    func views() -> [HostAgentView] {
        var leases: [String: [HostAgentView.Lease]] = [:]
        for (lease, worker) in leaseWorkers.sorted(by: { $0.key < $1.key }) {
            leases[worker, default: []].append(.init(lease: lease, requestID: leaseRequests[lease]))
        }
        return workers.sorted { $0.key < $1.key }.compactMap { name, record in
            guard let agent = record.agentPath, !agent.isEmpty else { return nil }
            let link: HostAgentView.Link = switch record.link {
            case .unknown: .unknown
            case .connected: .connected
            case .unreachable(let why): .unreachable(reason: why)
            }
            let waiting = record.subscriptions.sorted { $0.key < $1.key }.map { id, sub in
                HostAgentView.Waiting(requestID: id, reason: sub.reason ?? "asking for a slot", until: sub.until)
            }
            return HostAgentView(worker: name, agent: agent, hostname: record.hostname ?? name, link: link,
                                 slots: record.slots, leases: leases[name] ?? [], waiting: waiting)
        }
    }

    static func subscriptionName(_ request: Int64) -> String { "request-\(request)" }

    static func requestID(_ subscription: String) -> Int64? {
        subscription.hasPrefix("request-") ? Int64(subscription.dropFirst("request-".count)) : nil
    }
}
