import Foundation

/// One request's share of a ``DistributorPolicy`` pass: rule workers out, ask the plugins,
/// check the locks, and either start or say why not.
struct RequestPass {
    enum Result {
        case start(DistributorPolicy.Decision)
        case wait([WaitingReason])
    }

    /// Why a worker of the builder cannot take the request; ``WaitingKind``'s order is the
    /// order of the summary's counts.
    private typealias Category = WaitingKind

    private struct Blocked {
        var reason: WaitingReason
        var category: Category
    }

    let request: PendingRequest
    var book: LockBook
    let assigned: [String: Int]
    /// How many workers were left for the plugins after ruling out the unconnected, paused,
    /// excluded and busy ones (0: the request waits for reasons that are the builder's alone).
    private(set) var candidateCount = 0

    init(request: PendingRequest, book: LockBook, assigned: [String: Int]) {
        self.request = request
        self.book = book
        self.assigned = assigned
    }

    private var owner: LockOwner { .request(request.id) }

    mutating func run(
        builder: BuilderSpec?,
        workers: [String: DistributorPolicy.Worker],
        allWorkers: [DistributorPolicy.Worker],
        excluded: [String: DistributorPolicy.Exclusion],
        verdicts: (PendingRequest, [WorkerCandidate]) -> [WorkerVerdict]
    ) -> Result {
        guard let builder else {
            book.dequeue(owner)
            return .wait([WaitingReason(reason: "builder \(request.builder) is not in the configuration")])
        }
        var names: [String] = []
        for name in builder.workers where !names.contains(name) { names.append(name) }
        guard !names.isEmpty else {
            book.dequeue(owner)
            return .wait([WaitingReason(reason: "builder \(builder.name) lists no workers")])
        }

        // Rule out workers that cannot take any build now.
        var blocked: [String: Blocked] = [:]
        var candidates: [WorkerCandidate] = []
        for name in names {
            guard let worker = workers[name], worker.isConnected else {
                blocked[name] = Blocked(reason: WaitingReason(worker: name, reason: "worker \(name) not connected",
                                                              kind: .notConnected),
                                        category: .notConnected)
                continue
            }
            if worker.isPaused {
                let text = worker.pauseReason.map { "worker \(name) paused: \($0)" } ?? "worker \(name) paused"
                blocked[name] = Blocked(reason: WaitingReason(worker: name, reason: text, kind: .paused), category: .paused)
                continue
            }
            if let drain = worker.drain {
                blocked[name] = Blocked(
                    reason: WaitingReason(worker: name, reason: "worker \(name) draining (no new builds; drained by \(drain.requestedBy))",
                                          kind: .draining),
                    category: .draining)
                continue
            }
            if let exclusion = excluded[name] {
                // A gate's "ask again at" is also its best guess at the end (the agent's
                // settle time or window end), so it is shown as well as re-checked.
                blocked[name] = Blocked(
                    reason: WaitingReason(worker: name, reason: "worker \(name): \(exclusion.reason)", kind: .notAdmitted,
                                          until: exclusion.until, recheckAt: exclusion.until),
                    category: .notAdmitted)
                continue
            }
            let running = worker.runningBuilds + assigned[name, default: 0]
            if running >= worker.maxBuilds {
                blocked[name] = Blocked(
                    reason: WaitingReason(worker: name, reason: "worker \(name) busy (\(running)/\(worker.maxBuilds) builds)",
                                          kind: .busy),
                    category: .busy)
                continue
            }
            candidates.append(WorkerCandidate(name: name, runningBuilds: running, maxBuilds: worker.maxBuilds,
                                              info: worker.info))
        }
        candidateCount = candidates.count

        // Ask the plugins; order what they allow.
        var usable: [(candidate: WorkerCandidate, verdict: WorkerVerdict)] = []
        if !candidates.isEmpty {
            let merged = DistributorPolicy.mergeVerdicts([verdicts(request, candidates)])
            let byWorker = Dictionary(merged.map { ($0.worker, $0) }, uniquingKeysWith: { first, _ in first })
            for candidate in candidates {
                let verdict = byWorker[candidate.name] ?? .eligible(candidate.name)
                if verdict.kind == .unavailable {
                    // A plugin's reason is shown as it wrote it (it usually starts with its own
                    // verdict, e.g. "unavailable: outside hours … until 17:00").
                    let text = verdict.reason.map { reason in
                        reason.hasPrefix("unavailable") ? "worker \(candidate.name) \(reason)"
                            : "worker \(candidate.name) unavailable: \(reason)"
                    } ?? "worker \(candidate.name) unavailable"
                    blocked[candidate.name] = Blocked(
                        reason: WaitingReason(worker: candidate.name, reason: text, kind: .unavailable,
                                              until: verdict.endsAt, untilZone: verdict.endsAtZone,
                                              condition: verdict.endCondition, recheckAt: verdict.until),
                        category: .unavailable)
                } else {
                    usable.append((candidate, verdict))
                }
            }
            usable.sort { a, b in
                if a.verdict.kind != b.verdict.kind { return a.verdict.kind == .eligible }
                if a.verdict.rank != b.verdict.rank { return a.verdict.rank < b.verdict.rank }
                if a.candidate.runningBuilds != b.candidate.runningBuilds {
                    return a.candidate.runningBuilds < b.candidate.runningBuilds
                }
                return a.candidate.name < b.candidate.name
            }
        }

        // Locks before the worker: the first usable worker whose locks are free wins.
        var lockSummary: WaitingReason?
        var lockBlockedWorkers: [String] = []
        for (candidate, verdict) in usable {
            switch book.acquire(builder.locks, worker: candidate.name, owner: owner) {
            case .granted:
                book.dequeue(owner)
                return .start(DistributorPolicy.Decision(request: request, candidate: candidate, verdict: verdict,
                                                         locks: builder.locks))
            case .blocked(let lock, let reason):
                lockBlockedWorkers.append(candidate.name)
                if lockSummary == nil { lockSummary = WaitingReason(reason: reason) }
                // A master lock is the same whatever the worker: the summary says it once.
                // A worker lock differs by worker: each says its own.
                blocked[candidate.name] = lock.worker == nil ? nil
                    : Blocked(reason: WaitingReason(worker: candidate.name, reason: reason, kind: .locked), category: .locked)
            }
        }

        // It waits. Only a request that waits for nothing but a lock keeps a place in a lock
        // queue: one that has no usable worker must not hold back others that have one.
        if lockBlockedWorkers.isEmpty {
            book.dequeue(owner)
        } else {
            for name in lockBlockedWorkers { book.enqueue(builder.locks, worker: name, owner: owner) }
        }
        let summary = lockSummary ?? self.summary(names: names, blocked: blocked, allWorkers: allWorkers)
        return .wait([summary] + names.compactMap { blocked[$0]?.reason })
    }

    /// The builder-wide line when no lock is involved: a single worker's own reason, a
    /// common cause (`no worker connected`, `all workers busy`), or the counts. Its `until`
    /// is the earliest predicted end among the workers (when the request may first start by
    /// itself); when none is known, the workers' conditions say what it waits for.
    private func summary(names: [String], blocked: [String: Blocked],
                         allWorkers: [DistributorPolicy.Worker]) -> WaitingReason {
        let all = names.compactMap { blocked[$0] }
        let first = all.compactMap { b in b.reason.until.map { (blocked: b, until: $0) } }.min { $0.until < $1.until }?.blocked
        var conditions: [String] = []
        for condition in all.compactMap(\.reason.condition) where !conditions.contains(condition) {
            conditions.append(condition)
        }
        let recheck = all.compactMap(\.reason.recheckAt).min()
        func line(_ text: String) -> WaitingReason {
            WaitingReason(reason: text, until: first?.reason.until, untilZone: first?.reason.untilZone,
                          condition: first == nil && !conditions.isEmpty ? conditions.joined(separator: " or ") : nil,
                          recheckAt: recheck)
        }
        if all.count == 1, let only = all.first, only.category != .notConnected {
            var reason = only.reason
            reason.worker = nil
            reason.kind = nil
            return reason
        }
        let categories = Set(all.map(\.category))
        if categories.count == 1, let category = categories.first {
            var text = Self.allWord(category)
            if category == .notConnected {
                // The likely mistake: a worker is up but the builder does not list it.
                let strays = allWorkers.filter { $0.isConnected && !names.contains($0.name) }.map(\.name).sorted()
                if !strays.isEmpty {
                    text += " (\(strays.joined(separator: ", ")) \(strays.count == 1 ? "is" : "are") connected"
                        + " but not in the builder's worker list)"
                }
            }
            return line(text)
        }
        let counts = Category.allCases.compactMap { category -> String? in
            let n = all.filter { $0.category == category }.count
            return n == 0 ? nil : "\(n) \(category.words)"
        }
        return line("no usable worker (\(counts.joined(separator: ", ")))")
    }

    /// The summary when every worker of the builder is in this category.
    private static func allWord(_ category: Category) -> String {
        switch category {
        case .notConnected: "no worker connected"
        case .paused: "all workers paused"
        case .draining: "all workers draining"
        case .busy: "all workers busy"
        case .notAdmitted: "no worker admitted the build yet"
        case .unavailable: "all workers unavailable"
        case .locked: "waiting for a lock on every worker"
        }
    }
}
