import Foundation

extension DistributorPolicy {
    /// A worker as the distributor sees it at the start of a pass.
    public struct Worker: Sendable, Equatable {
        public var name: String
        public var isConnected: Bool
        public var isPaused: Bool
        /// Shown as `worker w1 paused: <reason>`.
        public var pauseReason: String?
        /// Builds running on it now (not counting the ones this pass starts).
        public var runningBuilds: Int
        public var maxBuilds: Int
        public var info: WorkerInfo?
        /// A drain in force: the worker takes no new builds.
        public var drain: WorkerDrain?

        public init(name: String, isConnected: Bool = true, isPaused: Bool = false, pauseReason: String? = nil,
                    runningBuilds: Int = 0, maxBuilds: Int = 1, info: WorkerInfo? = nil, drain: WorkerDrain? = nil) {
            self.drain = drain
            self.name = name
            self.isConnected = isConnected
            self.isPaused = isPaused
            self.pauseReason = pauseReason
            self.runningBuilds = runningBuilds
            self.maxBuilds = maxBuilds
            self.info = info
        }

        public init(_ snapshot: WorkerSnapshot, pauseReason: String? = nil) {
            self.init(name: snapshot.name, isConnected: snapshot.isConnected, isPaused: snapshot.isPaused,
                      pauseReason: pauseReason, runningBuilds: snapshot.runningBuilds,
                      maxBuilds: snapshot.maxBuilds, info: snapshot.info)
        }
    }

    /// "Do not offer worker W to request R for now": what the actor passes after a start
    /// gate answered `.later` or `.no`, so the next pass skips W with the gate's reason and
    /// tries another worker.
    public struct Exclusion: Sendable, Equatable {
        /// Shown verbatim as `worker W: <reason>`.
        public var reason: String
        /// When to ask again (also shown as the wait's predicted end); nil when the gate will
        /// wake the distributor.
        public var until: Date?

        public init(reason: String, until: Date? = nil) {
            self.reason = reason
            self.until = until
        }
    }

    /// Start `request` on `worker`.
    ///
    /// The builder's locks are already reserved in ``Outcome/locks`` for
    /// ``LockOwner/request(_:)``: the actor either turns the reservation into the build's hold
    /// (``LockBook/reassign(from:to:label:)``) or gives it back (``LockBook/release(owner:)``)
    /// when the start gate says later or the claim fails.
    public struct Decision: Sendable, Equatable {
        public var request: PendingRequest
        /// The worker, with the running-build count the plugins saw; hand it to the start gate.
        public var candidate: WorkerCandidate
        /// The merged plugin verdict that chose it (an advisory one carries its reason).
        public var verdict: WorkerVerdict
        /// The builder locks reserved for the request.
        public var locks: [LockAccess]

        public init(request: PendingRequest, candidate: WorkerCandidate, verdict: WorkerVerdict, locks: [LockAccess]) {
            self.request = request
            self.candidate = candidate
            self.verdict = verdict
            self.locks = locks
        }

        public var worker: String { candidate.name }
    }

    /// What one pass decided.
    public struct Outcome: Sendable, Equatable {
        /// Builds to start, in the order the pass chose them (priority, then age).
        public var decisions: [Decision]
        /// For every request that stays pending: a summary first (worker nil), then per worker.
        public var waiting: [Int64: [WaitingReason]]
        /// The earliest future re-check time any reason named (``WaitingReason/recheckAt``):
        /// run a pass then even if nothing wakes the distributor. Nil: wait for an event.
        public var nextCheck: Date?
        /// The lock book after the pass: decisions' locks reserved, lock-blocked requests queued.
        public var locks: LockBook

        public init(decisions: [Decision], waiting: [Int64: [WaitingReason]], nextCheck: Date?, locks: LockBook) {
            self.decisions = decisions
            self.waiting = waiting
            self.nextCheck = nextCheck
            self.locks = locks
        }
    }
}
