import Foundation

/// Which pending build requests start on which workers now, and why the others wait.
///
/// A pure function of its inputs, called by the master's distributor actor on every wake-up
/// (new request, worker attached or detached, build finished, lock released, reconfig, a
/// plugin's `wake`, the backstop at ``Outcome/nextCheck``). One pass:
/// 1. takes requests across all builders in ``order``: by priority (higher first), then,
///    by default, builders taking turns (``ServingOrder/fair``), else age and id
///    (``ServingOrder/fifo``); a request that cannot start never holds up the ones after it;
/// 2. for each, looks at the builder's workers: not connected, paused, excluded by a start
///    gate, or without a free build slot (counting the builds this pass already assigned)
///    rule a worker out with a reason; the rest are candidates for the plugins' verdicts;
/// 3. orders candidates: eligible ones by rank, then fewest running builds, then name;
///    advisory ones after all eligible ones; unavailable ones never;
/// 4. checks the builder's locks *before* taking a worker, per candidate (worker locks
///    differ by worker): the first candidate whose locks are free gets the build and the
///    locks are reserved; if none, the request waits for the lock, queued FIFO, and no
///    worker is taken, so another request can use it.
public struct DistributorPolicy: Sendable {
    public var builders: [String: BuilderSpec]
    /// The order requests are considered in (`distributor: {order: ...}` in master.cfg).
    public var order: ServingOrder

    public init(builders: [BuilderSpec], order: ServingOrder = .fair) {
        self.builders = Dictionary(builders.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.order = order
    }

    /// Runs one pass.
    ///
    /// The caller leaves out requests whose start is in flight (a gate being asked, a claim
    /// being written) and counts their workers in ``Worker/runningBuilds``: their locks are
    /// already reserved in `locks`, and a request passed again would count them as its own.
    ///
    /// - Parameters:
    ///   - pending: every pending request (request waiters in `locks` not among them are dropped).
    ///   - workers: every worker the master knows; a builder's worker missing here counts as
    ///     not connected.
    ///   - locks: the runtime lock state.
    ///   - excluded: per request, workers a start gate turned down for now.
    ///   - lastServed: per builder, a number that grows each time one of its builds starts
    ///     (``ServingOrder/fair`` serves the builder served longest ago first).
    ///   - now: the time of the pass; reasons whose `recheckAt` is not after it are shown but do
    ///     not set ``Outcome/nextCheck`` (that would spin).
    ///   - verdicts: the plugins' merged verdicts for a request's candidates (called only
    ///     when there is at least one); a candidate without a verdict is eligible.
    public func decide(
        pending: [PendingRequest],
        workers: [Worker],
        locks: LockBook,
        excluded: [Int64: [String: Exclusion]] = [:],
        lastServed: [String: UInt64] = [:],
        now: Date,
        verdicts: (PendingRequest, [WorkerCandidate]) -> [WorkerVerdict] = { _, _ in [] }
    ) -> Outcome {
        var book = locks
        let waiters = book.allWaiters
        if !waiters.isEmpty {
            let pendingIDs = Set(pending.map(\.id))
            for case .request(let id) in waiters where !pendingIDs.contains(id) {
                book.dequeue(.request(id))
            }
        }
        let workersByName = Dictionary(workers.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        var assigned: [String: Int] = [:]
        var decisions: [Decision] = []
        var waiting: [Int64: [WaitingReason]] = [:]
        waiting.reserveCapacity(pending.count)

        // The master keeps its queue in this order; sort only what is not.
        let isOrdered = zip(pending, pending.dropFirst()).allSatisfy { Self.servesBefore($0, $1) }
        let ordered = order.arrange(isOrdered ? pending : pending.sorted(by: Self.servesBefore), lastServed: lastServed)
        // Within a pass, workers only get busier: once a builder without locks had no worker
        // left for a request that no gate excluded, its later requests wait for the very same
        // reasons. Reusing them keeps a pass over 1,000 requests cheap.
        var builderWaits: [String: [WaitingReason]] = [:]
        for request in ordered {
            // Checked before the builder is looked up: copying its spec for each of 1,000
            // requests showed in profiles.
            let isExcluded = excluded[request.id] != nil
            if !isExcluded, let reasons = builderWaits[request.builder] {
                waiting[request.id] = reasons
                continue
            }
            let spec = builders[request.builder]
            let reusable = !isExcluded && spec.map { $0.locks.isEmpty } == true
            var pass = RequestPass(request: request, book: book, assigned: assigned)
            let result = pass.run(builder: spec, workers: workersByName,
                                  allWorkers: workers, excluded: excluded[request.id] ?? [:], verdicts: verdicts)
            book = pass.book
            switch result {
            case .start(let decision):
                assigned[decision.worker, default: 0] += 1
                decisions.append(decision)
            case .wait(let reasons):
                waiting[request.id] = reasons
                if reusable && pass.candidateCount == 0 { builderWaits[request.builder] = reasons }
            }
        }

        let nextCheck = waiting.values.joined().compactMap(\.recheckAt).filter { $0 > now }.min()
        return Outcome(decisions: decisions, waiting: waiting, nextCheck: nextCheck, locks: book)
    }

    /// Serving order: higher priority first, then older, then lower id.
    public static func servesBefore(_ a: PendingRequest, _ b: PendingRequest) -> Bool {
        if a.priority != b.priority { return a.priority > b.priority }
        if a.submittedAt != b.submittedAt { return a.submittedAt < b.submittedAt }
        return a.id < b.id
    }

    /// Merges several plugins' verdict lists into one verdict per worker
    /// (``WorkerVerdict/merged(with:)``: the stricter kind wins, ranks add up, reasons join).
    public static func mergeVerdicts(_ lists: [[WorkerVerdict]]) -> [WorkerVerdict] {
        var order: [String] = []
        var byWorker: [String: WorkerVerdict] = [:]
        for verdict in lists.joined() {
            if let existing = byWorker[verdict.worker] {
                byWorker[verdict.worker] = existing.merged(with: verdict)
            } else {
                order.append(verdict.worker)
                byWorker[verdict.worker] = verdict
            }
        }
        return order.compactMap { byWorker[$0] }
    }
}
