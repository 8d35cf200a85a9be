import Foundation
import MinibotAgent
import MinibotAvailability
import MinibotCore
import MinibotHostFacts
import MinibotProtocol

/// Replays recorded load and a list of build arrivals through the code the real system runs,
/// and says when each build would have started and why it waited.
///
/// No second implementation of any rule: each worker's verdict is ``AvailabilityPolicy``'s over
/// a ``LoadTracker`` fed with the recorded samples (as the master feeds it with status
/// reports); which request starts where is ``DistributorPolicy``'s pass with the serving order
/// of `master.cfg`; a worker with `host_agent: required` gets its slot from an
/// ``ArbiterStateMachine`` driven with the agent protocol's own requests (subscribe, claim,
/// renew, release), fed with the host's samples and ``HostWindows``' blocks, as the agent feeds
/// it. Time is the replayed time: the clock is an argument everywhere, so a week of two
/// workers replays in about a third of a second (release build; reading its JSON takes longer).
///
/// What is not replayed, because nothing recorded it: run-time flags (the `master.cfg` flag
/// applies), the owner at the keyboard (`owner_idle` is left out), locks, and the load the
/// simulated builds would themselves have added (the trace is the load as it was).
public struct AvailabilitySimulation: Sendable {
    public var workers: [SimulatedWorker]
    public var builders: [BuilderSpec]
    /// Any order; replayed by submission time.
    public var arrivals: [SimulatedArrival]
    public var order: ServingOrder
    /// The host agent's limits, for the workers with `host_agent: required`; nil: no agent.
    public var agent: ArbiterStateMachine.Configuration?
    /// The agent's `windows:`.
    public var agentWindows: [WindowRule]
    /// The load the agent sampled; empty: the first agent worker's trace (the same host).
    public var agentTrace: [LoadSample]
    /// The replayed range.
    public var from: Date
    public var to: Date
    /// Where the explanations' times are written.
    public var displayTimeZone: TimeZone
    /// Whether to keep each worker's availability spans (for the picture; a verdict every
    /// 2,000th of the range).
    public var recordsSpans: Bool

    public init(workers: [SimulatedWorker], builders: [BuilderSpec], arrivals: [SimulatedArrival],
                order: ServingOrder = .fair, agent: ArbiterStateMachine.Configuration? = nil,
                agentWindows: [WindowRule] = [], agentTrace: [LoadSample] = [], from: Date, to: Date,
                displayTimeZone: TimeZone = .current, recordsSpans: Bool = false) {
        self.workers = workers
        self.builders = builders
        self.arrivals = arrivals
        self.order = order
        self.agent = agent
        self.agentWindows = agentWindows
        self.agentTrace = agentTrace
        self.from = from
        self.to = max(from, to)
        self.displayTimeZone = displayTimeZone
        self.recordsSpans = recordsSpans
    }

    /// How far one step may reach when nothing else is due: verdicts whose change is not a
    /// known time (a lead opening, a window inside a sample gap) are looked at this often.
    static let longestStep: TimeInterval = 60
    /// Passes at one instant: a start or an offer can let another request start at once.
    static let passesPerInstant = 8

    public func run() -> SimulationResult {
        var replay = Replay(self)
        return replay.run()
    }
}

/// The mutable state of one replay.
private struct Replay {
    struct WorkerState {
        var worker: SimulatedWorker
        var policy: AvailabilityPolicy
        var tracker: LoadTracker
        var trace: [LoadSample]
        var next = 0
        var running: [Running] = []
        var spans: [SimulationResult.Span] = []
        /// What decides the last span (nil while available).
        var spanSource: Availability.Cause.Source?
    }

    struct Running {
        var build: Int
        var end: Date
        var lease: AgentLease?
    }

    struct Share {
        var kind: WaitingKind?
        var reason: String
        var seconds: TimeInterval
        var order: Int
    }

    let simulation: AvailabilitySimulation
    let distributor: DistributorPolicy
    var workers: [WorkerState]
    var index: [String: Int] = [:]
    var builds: [SimulatedBuild]
    var arrivalOrder: [Int]
    var nextArrival = 0
    /// Pending requests by id, and each id's build index.
    var pending: [Int64: PendingRequest] = [:]
    var buildOfRequest: [Int64: Int] = [:]
    var shares: [Int: [String: Share]] = [:]
    var lastServed: [String: UInt64] = [:]
    var served: UInt64 = 0
    var peak = 0
    var peakAt: Date?
    var notes: [String] = []

    // The host agent.
    var arbiter: ArbiterStateMachine?
    let hostWindows: HostWindows
    var hostBlock: HostBlock?
    var agentTrace: [LoadSample]
    var agentNext = 0
    var requestID = 1
    /// Subscription name → request and worker; offers and the agent's last word per name.
    var subscriptions: [String: (request: Int64, worker: String)] = [:]
    var offers: [String: UInt64] = [:]
    var agentWaits: [String: (reason: String, until: Date?)] = [:]
    var granted: [Int: AgentLease] = [:]

    init(_ simulation: AvailabilitySimulation) {
        self.simulation = simulation
        // Locks are not replayed (nothing recorded who held them).
        let builders = simulation.builders.map { spec -> BuilderSpec in
            var spec = spec
            spec.locks = []
            return spec
        }
        distributor = DistributorPolicy(builders: builders, order: simulation.order)
        workers = simulation.workers.map { worker in
            var settings = worker.settings
            settings.ownerIdle = nil
            return WorkerState(worker: worker, policy: AvailabilityPolicy(settings: settings, displayTimeZone: simulation.displayTimeZone),
                               tracker: LoadTracker(settings: settings),
                               trace: worker.trace.filter { $0.time.timeIntervalSince1970.isFinite }.sorted { $0.time < $1.time })
        }
        for (i, w) in workers.enumerated() { index[w.worker.name] = i }
        let builds = simulation.arrivals.map { SimulatedBuild(arrival: $0) }
        self.builds = builds
        arrivalOrder = builds.indices.sorted {
            (builds[$0].arrival.time, builds[$0].arrival.id) < (builds[$1].arrival.time, builds[$1].arrival.id)
        }
        hostWindows = HostWindows(simulation.agentWindows)
        let workers = self.workers
        agentTrace = simulation.agentTrace.isEmpty
            ? (workers.first { $0.worker.usesAgent }?.trace ?? [])
            : simulation.agentTrace.sorted { $0.time < $1.time }
        if let configuration = simulation.agent, workers.contains(where: { $0.worker.usesAgent }) {
            var arbiter = ArbiterStateMachine(configuration: configuration, agentID: "simulated", now: simulation.from,
                                              recovering: false)
            _ = arbiter.handle(.request(.hello(.init(id: 0, client: "minibot availability simulate")), from: 1),
                               now: simulation.from)
            self.arbiter = arbiter
        } else if workers.contains(where: { $0.worker.usesAgent }) {
            notes.append("workers behind a host agent are replayed without it (give --agent agent.yaml)")
        }
        notes.append("run-time flags are not replayed (flags in master.cfg are)")
        if simulation.workers.contains(where: { $0.settings.ownerIdle != nil }) {
            notes.append("owner_idle is not replayed: the recorder keeps no keyboard activity")
        }
        if simulation.builders.contains(where: { !$0.locks.isEmpty }) {
            notes.append("locks are not replayed")
        }
    }

    mutating func run() -> SimulationResult {
        var t = simulation.from
        let end = simulation.to
        // The picture is under a thousand pixels wide: a verdict every 2,000th of the range
        // (10 s at least) draws the same bands at a fraction of the cost of one per sample.
        let spanStep = max(10, end.timeIntervalSince(t) / 2000)
        var nextSpan = t
        while true {
            advance(to: t)
            var outcome: DistributorPolicy.Outcome?
            for _ in 0..<AvailabilitySimulation.passesPerInstant {
                guard !pending.isEmpty else { break }
                let (result, changed) = pass(at: t)
                outcome = result
                if !changed { break }
            }
            if simulation.recordsSpans, t >= nextSpan || t >= end {
                recordSpans(at: t)
                nextSpan = t.addingTimeInterval(spanStep)
            }
            guard t < end else { break }
            let next = min(end, nextTime(after: t, recheck: outcome?.nextCheck))
            if let outcome { account(outcome, from: t, to: next) }
            t = next
        }
        for i in workers.indices where !workers[i].spans.isEmpty {
            let last = workers[i].spans.count - 1
            workers[i].spans[last].to = max(workers[i].spans[last].to, end)
        }
        for (build, list) in shares {
            builds[build].reasons = list.values
                .sorted { ($0.seconds, -$0.order) > ($1.seconds, -$1.order) }
                .map { SimulatedBuild.WaitShare(kind: $0.kind, reason: $0.reason, seconds: $0.seconds) }
        }
        var spans: [String: [SimulationResult.Span]] = [:]
        for w in workers { spans[w.worker.name] = w.spans }
        return SimulationResult(from: simulation.from, to: end, builds: builds, peakRunning: peak, peakAt: peakAt,
                                spans: spans, notes: notes)
    }

    // MARK: time passing

    /// Everything due up to `t`, in time order: samples, finished builds, arrivals, the agent.
    mutating func advance(to t: Date) {
        for i in workers.indices {
            while workers[i].next < workers[i].trace.count, workers[i].trace[workers[i].next].time <= t {
                let sample = workers[i].trace[workers[i].next]
                workers[i].tracker.record(WorkerStatus(sample), at: sample.time)
                workers[i].next += 1
            }
            let finished = workers[i].running.filter { $0.end <= t }
            workers[i].running.removeAll { $0.end <= t }
            for run in finished {
                if let lease = run.lease { agent(.request(.release(.init(id: nextID(), lease: lease.lease, token: lease.token)), from: 1), at: run.end) }
            }
        }
        if arbiter != nil {
            while agentNext < agentTrace.count, agentTrace[agentNext].time <= t {
                agent(.loadSampled(agentTrace[agentNext]), at: agentTrace[agentNext].time)
                agentNext += 1
            }
            let block = hostWindows.block(at: t)
            if block != hostBlock {
                hostBlock = block
                agent(.hostBlockChanged(block), at: t)
            }
            renewLeases(at: t)
            agent(.tick, at: t)
        }
        while nextArrival < arrivalOrder.count, builds[arrivalOrder[nextArrival]].arrival.time <= t {
            let b = arrivalOrder[nextArrival]
            let a = builds[b].arrival
            let id = Int64(b)
            pending[id] = PendingRequest(id: id, builder: a.builder, priority: a.priority, submittedAt: a.time)
            buildOfRequest[id] = b
            nextArrival += 1
        }
    }

    /// The next instant something can change.
    func nextTime(after t: Date, recheck: Date?) -> Date {
        var candidates: [Date] = [t.addingTimeInterval(AvailabilitySimulation.longestStep)]
        if nextArrival < arrivalOrder.count { candidates.append(builds[arrivalOrder[nextArrival]].arrival.time) }
        for w in workers {
            if w.next < w.trace.count { candidates.append(w.trace[w.next].time) }
            candidates.append(contentsOf: w.running.map(\.end))
        }
        if let recheck { candidates.append(recheck) }
        if let arbiter {
            if let deadline = arbiter.nextDeadline { candidates.append(deadline) }
            if agentNext < agentTrace.count { candidates.append(agentTrace[agentNext].time) }
            candidates.append(contentsOf: granted.values.map { renewalDue($0) })
            if let until = hostBlock?.until { candidates.append(until) }
        }
        return candidates.filter { $0 > t }.min() ?? t.addingTimeInterval(AvailabilitySimulation.longestStep)
    }

    // MARK: the distributor's pass

    /// One pass at `t`; whether it started or subscribed anything (then another pass may
    /// start more at the same instant).
    mutating func pass(at t: Date) -> (DistributorPolicy.Outcome, Bool) {
        var verdictCache: [String: WorkerVerdict] = [:]
        let snapshot = workers.map {
            DistributorPolicy.Worker(name: $0.worker.name, runningBuilds: $0.running.count, maxBuilds: $0.worker.maxBuilds)
        }
        var excluded: [Int64: [String: DistributorPolicy.Exclusion]] = [:]
        for (name, subscription) in subscriptions where offers[name] == nil {
            let wait = agentWaits[name]
            excluded[subscription.request, default: [:]][subscription.worker] = .init(
                reason: "host agent: " + (wait?.reason ?? "waiting for a slot"), until: wait?.until)
        }
        let outcome = distributor.decide(
            pending: Array(pending.values), workers: snapshot, locks: LockBook(), excluded: excluded,
            lastServed: lastServed, now: t,
            verdicts: { _, candidates in
                candidates.compactMap { candidate in
                    if let cached = verdictCache[candidate.name] { return cached }
                    guard let i = index[candidate.name] else { return nil }
                    let verdict = workers[i].policy.evaluate(flag: nil, load: workers[i].tracker, isConnected: true, now: t)
                        .verdict(for: candidate.name)
                    verdictCache[candidate.name] = verdict
                    return verdict
                }
            })
        var changed = false
        for decision in outcome.decisions {
            guard let i = index[decision.worker], let build = buildOfRequest[decision.request.id] else { continue }
            var lease: AgentLease?
            if workers[i].worker.usesAgent, arbiter != nil {
                switch admit(decision.request, worker: decision.worker, build: build, at: t) {
                case .granted(let granted): lease = granted
                case .notYet:
                    changed = true
                    continue
                }
            }
            start(build, request: decision.request, on: i, lease: lease, at: t)
            changed = true
        }
        return (outcome, changed)
    }

    mutating func start(_ build: Int, request: PendingRequest, on i: Int, lease: AgentLease?, at t: Date) {
        pending[request.id] = nil
        builds[build].start = t
        builds[build].worker = workers[i].worker.name
        workers[i].running.append(Running(build: build, end: t.addingTimeInterval(builds[build].arrival.duration), lease: lease))
        if let lease { granted[build] = lease }
        served += 1
        lastServed[request.builder] = served
        // Its other subscriptions are no longer needed.
        for (name, subscription) in subscriptions where subscription.request == request.id {
            agent(.request(.withdraw(.init(id: nextID(), subscription: name)), from: 1), at: t)
            forget(name)
        }
        let running = workers.reduce(0) { $0 + $1.running.count }
        if running > peak {
            peak = running
            peakAt = t
        }
    }

    /// The time between two steps counts for each waiting request's reason at the first.
    mutating func account(_ outcome: DistributorPolicy.Outcome, from t: Date, to next: Date) {
        let seconds = next.timeIntervalSince(t)
        guard seconds > 0 else { return }
        for id in pending.keys {
            guard let build = buildOfRequest[id] else { continue }
            // Each kind of obstacle among the workers counts for the whole time: with w1 busy
            // and w2 waiting for the agent, both held the request back.
            let reasons = outcome.waiting[id] ?? []
            let perWorker = reasons.filter { $0.worker != nil }
            var seen: Set<String> = []
            var list = shares[build, default: [:]]
            for reason in perWorker.isEmpty ? Array(reasons.prefix(1)) : perWorker {
                let key = reason.kind?.rawValue ?? "-"
                guard seen.insert(key).inserted else { continue }
                if var share = list[key] {
                    share.seconds += seconds
                    list[key] = share
                } else {
                    list[key] = Share(kind: reason.kind, reason: reason.reason, seconds: seconds, order: list.count)
                }
            }
            shares[build] = list
        }
    }

    mutating func recordSpans(at t: Date) {
        for i in workers.indices {
            let a = workers[i].policy.evaluate(flag: nil, load: workers[i].tracker, isConnected: true, now: t)
            let reason = a.state == .available ? nil : a.decisive.first?.reason
            // A span lasts while the state and what decides it stay (its words keep the first
            // figures: the load moves with every sample).
            let source = a.state == .available ? nil : a.decisive.first?.source
            if var last = workers[i].spans.last, last.state == a.state, workers[i].spanSource == source {
                last.to = t
                workers[i].spans[workers[i].spans.count - 1] = last
            } else {
                if !workers[i].spans.isEmpty { workers[i].spans[workers[i].spans.count - 1].to = t }
                workers[i].spans.append(.init(from: t, to: t, state: a.state, reason: reason))
                workers[i].spanSource = source
            }
        }
    }

    // MARK: the host agent

    enum Admission {
        case granted(AgentLease)
        case notYet
    }

    /// The master's start gate for a worker behind the agent: claim the offer if one is out,
    /// else subscribe and wait for one.
    mutating func admit(_ request: PendingRequest, worker: String, build: Int, at t: Date) -> Admission {
        let name = "r\(request.id)@\(worker)"
        if offers[name] == nil, subscriptions[name] == nil {
            subscriptions[name] = (request.id, worker)
            agent(.request(.subscribe(.init(id: nextID(), subscription: name, master: "simulated", worker: worker,
                                            builder: request.builder, priority: request.priority,
                                            since: request.submittedAt)), from: 1), at: t)
        }
        guard let offer = offers[name] else { return .notYet }
        let claimID = nextID()
        let replies = agent(.request(.claim(.init(id: claimID, offer: offer, build: name)), from: 1), at: t)
        forget(name)
        for case .lease(let grant) in replies where grant.replyTo == claimID { return .granted(grant.lease) }
        return .notYet
    }

    mutating func renewLeases(at t: Date) {
        for (build, lease) in granted where renewalDue(lease) <= t {
            guard workers.contains(where: { $0.running.contains { $0.build == build } }) else {
                granted[build] = nil
                continue
            }
            let replies = agent(.request(.renew(.init(id: nextID(), lease: lease.lease, token: lease.token)), from: 1), at: t)
            for case .renewed(let r) in replies { granted[build]?.expiresAt = r.expiresAt }
        }
    }

    func renewalDue(_ lease: AgentLease) -> Date {
        lease.expiresAt.addingTimeInterval(-(simulation.agent?.leaseTTL ?? 0) / 2)
    }

    mutating func forget(_ name: String) {
        subscriptions[name] = nil
        offers[name] = nil
        agentWaits[name] = nil
    }

    /// Feeds the arbiter and keeps what its answers say; returns the answers.
    @discardableResult
    mutating func agent(_ input: ArbiterStateMachine.Input, at t: Date) -> [AgentEvent] {
        guard var arbiter else { return [] }
        let events = arbiter.handle(input, now: t).map(\.event)
        self.arbiter = arbiter
        for event in events {
            switch event {
            case .offer(let offer): offers[offer.subscription] = offer.offer
            case .offerWithdrawn(let withdrawn):
                // The arbiter dropped the subscription; the next pass subscribes again.
                forget(withdrawn.subscription)
            case .waiting(let waiting): agentWaits[waiting.subscription] = (waiting.reason, waiting.until)
            case .leaseExpired(let expired):
                if let build = granted.first(where: { $0.value.lease == expired.lease })?.key {
                    granted[build] = nil
                    if !notes.contains(where: { $0.hasPrefix("a lease expired") }) {
                        notes.append("a lease expired while its build ran (lease_ttl shorter than a replay step)")
                    }
                }
            default: break
            }
        }
        return events
    }

    mutating func nextID() -> Int {
        requestID += 1
        return requestID
    }
}

