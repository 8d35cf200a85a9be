import Foundation
import Logging
import MinibotCore
import MinibotStore
import ServiceLifecycle

/// Hands pending build requests to workers.
///
/// Event-driven: its loop sleeps until something wakes it (a new request, a worker
/// attached, detached or unpaused, a build finished, a lock released, a reconfig, a
/// plugin's `wake`) or until the backstop time — the earliest moment any waiting reason
/// said it could change by itself. Each pass is the pure ``DistributorPolicy``; this actor
/// applies its decisions: reserves the worker slot and locks, asks the plugins' start
/// gates, then hands the build to the ``BuildRunner``. Every pending request keeps the
/// reasons of the latest pass, so the API can always say why it waits.
actor Distributor: Service {
    private var config: MasterConfig
    private var policy: DistributorPolicy
    private var pending = PendingQueue()
    private var waiting: [Int64: [WaitingReason]] = [:]
    private var excluded: [Int64: [String: DistributorPolicy.Exclusion]] = [:]
    private var nextCheck: Date?
    /// A start gate turned a worker down during the pass: run another pass at once (the
    /// request may fit another worker), without clearing the gates' exclusions.
    private var needsAnotherPass = false
    /// Per builder, the count of starts when one of its builds last started (fair order).
    private var lastServed: [String: UInt64] = [:]
    private var starts: UInt64 = 0
    /// Why no build may start at all (the database cannot be trusted), or nil.
    private(set) var haltReason: String?
    /// How long each pass took (a measurement, on the monotonic clock), for `/metrics`.
    private(set) var passDurations = Histogram(bounds: Histogram.passBounds)
    private var runner: BuildRunner?
    private var builds: [Int64: Task<Void, Never>] = [:]
    private let store: any Store
    private let registry: WorkerRegistry
    private let locks: LockManager
    private let plugins: PluginHost
    private let signal: WakeSignal
    private let logger: Logger
    private let clock: any WallClock

    init(config: MasterConfig, store: any Store, registry: WorkerRegistry, locks: LockManager, plugins: PluginHost,
         signal: WakeSignal, logger: Logger, clock: any WallClock) {
        self.config = config
        self.policy = DistributorPolicy(builders: config.builders, order: config.servingOrder)
        self.store = store
        self.registry = registry
        self.locks = locks
        self.plugins = plugins
        self.signal = signal
        self.logger = logger.with("component", "distributor")
        self.clock = clock
    }

    func attach(runner: BuildRunner) {
        self.runner = runner
    }

    /// At start: builds this master left running are ended as RETRY (their requests are
    /// pending again), then every pending request is loaded.
    func recover() async {
        do {
            for build in try await store.runningBuilds(master: runner?.masterName ?? "") {
                try await store.finishBuild(id: build.id, results: .retry, stateString: "master restarted during the build",
                                            at: clock.now(), properties: build.properties)
                logger.notice("build interrupted by a master restart will be retried",
                              metadata: ["builder": "\(build.builderName)", "build": "\(build.id)", "number": "\(build.number)"])
            }
            for request in try await store.pendingRequests() { pending[request.id] = request }
        } catch {
            logger.error("could not recover pending work from the store: \(error)")
        }
        signal.wake("master started")
    }

    /// Loads the store's pending requests again (after another master's claims were released
    /// by the reaper, say) and wakes the pass; requests already known are left as they are.
    func reloadPending(reason: String) async {
        do {
            for request in try await store.pendingRequests() where pending[request.id] == nil {
                pending[request.id] = request
            }
        } catch {
            logger.error("could not reload pending requests from the store: \(error)")
        }
        signal.wake(reason)
    }

    /// Requests another master (or this one) recorded or made pending again, as a
    /// ``StoreWakeUp`` named them: those still pending, unclaimed and for a builder this
    /// master defines join the queue (a master never claims a request for a builder it does
    /// not know); those already known are left as they are.
    func arrived(_ requests: [BuildRequest]) {
        let builders = Set(config.builders.map(\.name))
        var added = 0
        for request in requests where pending[request.id] == nil && request.claimedBy == nil && !request.isComplete
            && builders.contains(request.builderName) {
            pending[request.id] = request
            added += 1
        }
        if added > 0 { signal.wake("\(added) request(s) recorded by another master") }
    }

    /// New requests from a scheduler; older pending ones they collapse are completed SKIPPED.
    func submitted(_ requests: [BuildRequest]) async {
        for request in requests { pending[request.id] = request }
        await collapse(builders: Set(requests.map(\.builderName)))
        plugins.events.record(.requestsSubmitted, [
            "buildrequestids": .array(requests.map { .number(Double($0.id)) }),
            "builders": .array(requests.map { .string($0.builderName) }),
        ])
        signal.wake("\(requests.count) new request(s)")
    }

    /// What became of a cancel request.
    enum CancelOutcome: Sendable, Equatable {
        case cancelled
        case notFound
        /// Claimed: a build of it started (stop the build instead).
        case started
        case complete
    }

    /// Cancels a pending request: it completes CANCELLED without a build. The store decides
    /// atomically, so a request claimed at the same moment is either cancelled or started,
    /// never both.
    func cancel(requestID: Int64, reason: String) async throws -> CancelOutcome {
        guard let request = try await store.request(id: requestID) else { return .notFound }
        if request.isComplete { return .complete }
        if request.claimedBy != nil { return .started }
        let done = try await store.completeRequests([requestID], results: .cancelled, at: clock.now())
        guard done.contains(requestID) else {
            return try await store.request(id: requestID)?.isComplete == true ? .complete : .started
        }
        forget([requestID])
        logger.info("build request cancelled", metadata: ["request": "\(requestID)", "builder": "\(request.builderName)",
                                                          "reason": "\(reason)"])
        plugins.events.record(.requestCancelled, [
            "buildrequestid": .number(Double(requestID)), "builder": .string(request.builderName),
            "reason": .string(reason), "results": .number(Double(BuildResult.cancelled.rawValue)),
        ])
        plugins.publish(.requestRemoved(requestID: requestID))
        return .cancelled
    }

    /// Requests that left the pending set elsewhere (claimed by another master). Plugins hear
    /// `requestRemoved`, as for a cancelled one: the host agent gate withdraws the request's
    /// other subscriptions, or the agent would offer its slot for a request nobody here will
    /// claim and hold it until the offer times out (10 s per build, seen with two masters).
    func forget(_ ids: [Int64]) {
        for id in ids {
            pending[id] = nil
            waiting[id] = nil
            excluded[id] = nil
            plugins.publish(.requestRemoved(requestID: id))
        }
    }

    func apply(config newConfig: MasterConfig) {
        config = newConfig
        policy = DistributorPolicy(builders: newConfig.builders, order: newConfig.servingOrder)
    }

    func pendingCounts() -> [String: Int] {
        var counts: [String: Int] = [:]
        for r in pending.values { counts[r.builderName, default: 0] += 1 }
        return counts
    }

    func waitingReasons() -> [Int64: [WaitingReason]] {
        waiting
    }

    /// The pending requests in the order the next pass would serve them (``ServingOrder``
    /// with the builders' turns), with their latest reasons: what ``StartEstimator`` reads.
    func servingQueue() -> (queue: [PendingRequest], waiting: [Int64: [WaitingReason]]) {
        (policy.order.arrange(pending.ordered, lastServed: lastServed), waiting)
    }

    /// Stops (a reason) or resumes (nil) starting builds; waiting requests say why.
    func halt(_ reason: String?) {
        guard reason != haltReason else { return }
        haltReason = reason
        signal.wake(reason.map { "halted: \($0)" } ?? "resumed")
    }

    // MARK: loop

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let reasons = await self.signal.next(deadline: await self.nextCheck)
                if Task.isCancelled || self.signal.isFinished { break }
                await self.passes(woken: !reasons.isEmpty)
            }
        }
        // Graceful shutdown: start nothing more; running builds end with the process and
        // are retried at the next start.
    }

    /// One pass, then more while a start gate asked for one. Passes never overlap: they
    /// await (the registry, the lock book, the gates), and two interleaved passes would
    /// both count the same free slot and start two builds on it.
    private func passes(woken: Bool) async {
        var woken = woken
        repeat {
            needsAnotherPass = false
            await pass(woken: woken)
            woken = false
        } while needsAnotherPass && !Task.isCancelled
    }

    private func pass(woken: Bool) async {
        let began = ContinuousClock.now
        defer {
            let took = ContinuousClock.now - began
            passDurations.observe(Double(took.components.seconds) + Double(took.components.attoseconds) * 1e-18)
        }
        // A real event may have changed what the gates answer: ask them again.
        if woken { excluded.removeAll() }
        let t = clock.now()
        excluded = excluded.mapValues { $0.filter { $0.value.until.map { $0 > t } ?? true } }.filter { !$0.value.isEmpty }
        let states = await registry.states(ordered: false)
        let halt = haltReason.map { "master halted: \($0)" }
        let workers = states.map { s in
            DistributorPolicy.Worker(name: s.name, isConnected: s.isConnected,
                                     isPaused: s.isPaused || s.isStopping || halt != nil,
                                     pauseReason: halt ?? (s.isStopping ? "stopping" : s.pauseReason),
                                     runningBuilds: s.runningBuilds, maxBuilds: s.maxBuilds, info: s.info,
                                     drain: s.drain)
        }
        let drainCheck = await enforceDrains(states, now: t)
        let requests = pending.ordered
        let hooks = plugins.selectionHooks
        let policy = self.policy
        let excluded = self.excluded
        let served = self.lastServed
        let outcome = await locks.withBook { book in
            let o = policy.decide(pending: requests, workers: workers, locks: book, excluded: excluded,
                                  lastServed: served, now: t) { r, c in
                DistributorPolicy.mergeVerdicts(hooks.map { $0.verdicts(for: r, candidates: c, now: t) })
            }
            book = o.locks
            return o
        }
        publishChanges(from: waiting, to: outcome.waiting)
        waiting = outcome.waiting
        nextCheck = ([outcome.nextCheck, drainCheck] + self.excluded.values.flatMap { $0.values.map(\.until) })
            .compactMap { $0 }.filter { $0 > t }.min()
        for decision in outcome.decisions {
            starts += 1
            lastServed[decision.request.builder] = starts
            await start(decision)
        }
    }

    /// Carries out ``DrainDeadline`` for every drained worker: builds still running at the
    /// deadline end RETRY (their requests come back pending and, the worker being drained,
    /// run elsewhere). Returns the earliest deadline still ahead, for the backstop.
    private func enforceDrains(_ states: [WorkerState], now: Date) async -> Date? {
        var next: Date?
        for state in states {
            guard let drain = state.drain else { continue }
            let (actions, check) = DrainDeadline(worker: state.name, drain: drain)
                .decide(running: state.runningRequests, told: state.drainTold, now: now)
            if let check { next = min(next ?? check, check) }
            for case .retry(let requestID, reason: let reason) in actions {
                await registry.drainTold(state.name, request: requestID)
                if await runner?.retry(requestID: requestID, reason: reason) == true {
                    logger.info("drain deadline passed: build ends RETRY", metadata: [
                        "worker": "\(state.name)", "request": "\(requestID)"])
                }
            }
        }
        return next
    }

    /// Records a `request_waiting` event for each request whose reasons changed, so that
    /// clients (and tests) can follow "why is my build not starting?" without polling.
    ///
    /// A pass hands all the requests of a builder that wait for the same reasons one shared
    /// array (``DistributorPolicy``), so with 1,000 pending requests there are only a few
    /// dozen distinct arrays: each distinct (old, new) pair is compared once, and each new
    /// array is turned into JSON once. The arrays are identified by their storage, which
    /// stays put while `old` and `new` hold them.
    private func publishChanges(from old: [Int64: [WaitingReason]], to new: [Int64: [WaitingReason]]) {
        struct Pair: Hashable { var old: UnsafeRawPointer??, new: UnsafeRawPointer? }
        func storage(_ reasons: [WaitingReason]) -> UnsafeRawPointer? {
            reasons.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        }
        var changed: [Pair: Bool] = [:]
        var encoded: [UnsafeRawPointer?: JSONValue] = [:]
        for (id, reasons) in new {
            let before = old[id]
            let pair = Pair(old: before.map(storage), new: storage(reasons))
            if let unchanged = pair.old, unchanged == pair.new { continue }  // the very same array
            let differs: Bool
            if let known = changed[pair] {
                differs = known
            } else {
                differs = before != reasons
                changed[pair] = differs
            }
            guard differs else { continue }
            let json: JSONValue
            if let known = encoded[pair.new] {
                json = known
            } else {
                json = .array(reasons.map { r in
                    .object(["worker": r.worker.map(JSONValue.string) ?? .null, "reason": .string(r.reason),
                             "kind": r.kind.map { .string($0.rawValue) } ?? .null,
                             "until": r.until.map { .number($0.timeIntervalSince1970) } ?? .null,
                             "until_zone": r.untilZone.map(JSONValue.string) ?? .null,
                             "condition": r.condition.map(JSONValue.string) ?? .null])
                })
                encoded[pair.new] = json
            }
            plugins.events.record(.requestWaiting, [
                "buildrequestid": .number(Double(id)),
                "builder": .string(pending[id]?.builderName ?? ""),
                "reason": .string(reasons.first?.reason ?? ""),
                "reasons": json,
            ])
        }
    }

    private func start(_ decision: DistributorPolicy.Decision) async {
        guard let request = pending[decision.request.id], let runner else { return }
        pending[request.id] = nil
        await registry.reserve(decision.worker, build: request.id)
        var permits: [(any BuildStartGate, Permit)] = []
        for gate in plugins.startGates {
            switch await gate.admit(decision.request, on: decision.candidate) {
            case .now(let permit):
                permits.append((gate, permit))
            case .later(let reason, let until):
                await giveBack(request, decision: decision, permits: permits,
                               exclusion: .init(reason: reason, until: until))
                return
            case .no(let reason):
                await giveBack(request, decision: decision, permits: permits, exclusion: .init(reason: reason))
                return
            }
        }
        excluded[request.id] = nil
        waiting[request.id] = nil
        let launch = BuildLaunch(request: request, worker: decision.worker, reservation: request.id, permits: permits)
        // Claimed here, in the pass's order: claims made in the build tasks raced each other,
        // so after a restart a newer request could be numbered and started first.
        guard let claimed = await runner.claim(launch) else { return }
        let task = Task { await runner.run(claimed) }
        builds[request.id] = task
        Task { [weak self] in
            await task.value
            await self?.buildEnded(request.id)
        }
    }

    private func buildEnded(_ requestID: Int64) async {
        builds[requestID] = nil
        // A RETRY puts the request back in the store's pending set: take it back.
        if let request = try? await store.request(id: requestID), request.isPending {
            pending[requestID] = request
            signal.wake("request \(requestID) is pending again")
        }
    }

    /// A gate said not now: undo the reservation (without waking, or the pass would spin)
    /// and remember the gate's reason for that worker.
    private func giveBack(_ request: BuildRequest, decision: DistributorPolicy.Decision,
                          permits: [(any BuildStartGate, Permit)], exclusion: DistributorPolicy.Exclusion) async {
        await BuildLaunch(request: request, worker: decision.worker, reservation: request.id, permits: permits)
            .undo(locks: locks, registry: registry, wake: false)
        pending[request.id] = request
        excluded[request.id, default: [:]][decision.worker] = exclusion
        let before = waiting[request.id] ?? []
        var reasons = before
        reasons.removeAll { $0.worker == decision.worker }
        reasons.append(WaitingReason(worker: decision.worker, reason: exclusion.reason, kind: .notAdmitted,
                                     until: exclusion.until, recheckAt: exclusion.until))
        if !reasons.contains(where: { $0.worker == nil }) {
            reasons.insert(WaitingReason(reason: "waiting for a start gate: \(exclusion.reason)", until: exclusion.until,
                                         recheckAt: exclusion.until), at: 0)
        }
        publishChanges(from: [request.id: before], to: [request.id: reasons])
        waiting[request.id] = reasons
        if let until = exclusion.until, until > clock.now() { nextCheck = min(nextCheck ?? until, until) }
        // Another worker may still take it: another pass, once this one is done.
        needsAnotherPass = true
    }

    /// Carries out ``RequestCollapser`` over the pending requests of `builders`: the
    /// collapsed ones are completed SKIPPED (plugins hear `requestRemoved`), the kept ones
    /// take their group's highest priority.
    private func collapse(builders: Set<String>) async {
        // Only requests made from changes collapse; each forced build is wanted as such.
        let changeSchedulers = Set(config.schedulers.compactMap { spec -> String? in
            if case .singleBranch(let s) = spec { return s.name } else { return nil }
        })
        let collapsing = Set(builders.filter { config.builder(named: $0)?.collapseRequests ?? false })
        guard !collapsing.isEmpty else { return }
        let candidates = pending.values.filter { collapsing.contains($0.builderName) }
        let outcome = RequestCollapser.collapse(candidates) { request in
            request.properties["scheduler"].map(changeSchedulers.contains) ?? false
        }
        guard !outcome.collapsed.isEmpty else { return }
        do {
            for (id, priority) in outcome.raisedPriority.sorted(by: { $0.key < $1.key }) {
                if try await store.raisePriority(requestID: id, to: priority), var request = pending[id] {
                    request.priority = priority
                    pending[id] = request
                }
            }
            let done = try await store.completeRequests(outcome.collapsed.keys.sorted(), results: .skipped, at: clock.now())
            for id in done {
                forget([id])
                plugins.publish(.requestRemoved(requestID: id))
            }
            for (kept, absorbed) in Dictionary(grouping: done, by: { outcome.collapsed[$0] ?? 0 }).sorted(by: { $0.key < $1.key }) {
                logger.info("collapsed older requests into the newest", metadata: [
                    "builder": "\(pending[kept]?.builderName ?? "")", "request": "\(kept)", "collapsed": "\(absorbed.sorted())"])
            }
        } catch {
            logger.error("could not collapse requests: \(error)")
        }
    }
}
