import Foundation

/// Vetoes or ranks the candidate workers for a pending request.
///
/// Called by the distributor, on its actor, for every pending request it considers, each
/// time it runs. It must be cheap and do no I/O: read state the plugin keeps up to date
/// from events. Return one verdict per candidate, in any order; a candidate without a
/// verdict counts as eligible.
public protocol WorkerSelectionHook: Sendable {
    func verdicts(for request: PendingRequest, candidates: [WorkerCandidate], now: Date) -> [WorkerVerdict]
}

/// A pending build request as plugins see it.
public struct PendingRequest: Sendable, Equatable {
    public var id: Int64
    public var builder: String
    public var priority: Int
    public var submittedAt: Date
    public var properties: [String: String]

    public init(id: Int64, builder: String, priority: Int, submittedAt: Date, properties: [String: String] = [:]) {
        self.id = id
        self.builder = builder
        self.priority = priority
        self.submittedAt = submittedAt
        self.properties = properties
    }
}

/// A connected worker that could take a request (it is on the builder's list, connected,
/// not paused, with a free build slot).
public struct WorkerCandidate: Sendable, Equatable {
    public var name: String
    public var runningBuilds: Int
    public var maxBuilds: Int
    public var info: WorkerInfo?

    public init(name: String, runningBuilds: Int, maxBuilds: Int, info: WorkerInfo? = nil) {
        self.name = name
        self.runningBuilds = runningBuilds
        self.maxBuilds = maxBuilds
        self.info = info
    }
}

/// A plugin's judgement of one worker for one request.
public struct WorkerVerdict: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, Codable {
        /// May take the build.
        case eligible
        /// May take the build only when no eligible worker can (ranked last).
        case advisory
        /// Must not take the build now.
        case unavailable
    }

    public var worker: String
    public var kind: Kind
    /// Lower is preferred among workers of the same kind.
    public var rank: Int
    /// Why (always set for advisory and unavailable).
    public var reason: String?
    /// When the verdict may change by itself (a window ends, a flag expires, a load report
    /// goes stale); the distributor re-checks then even if nothing else happens. Internal:
    /// users see ``endsAt``.
    public var until: Date?
    /// When the worker predictably becomes usable again (the flag's expiry, the window's
    /// end); nil when unknown or measurement-dependent (then ``endCondition`` says what).
    public var endsAt: Date?
    /// The IANA zone of the window whose end ``endsAt`` is, if it is one.
    public var endsAtZone: String?
    /// In words, when the end depends on a measurement: `when load < 2.4`.
    public var endCondition: String?

    public init(worker: String, kind: Kind, rank: Int = 0, reason: String? = nil, until: Date? = nil,
                endsAt: Date? = nil, endsAtZone: String? = nil, endCondition: String? = nil) {
        self.worker = worker
        self.kind = kind
        self.rank = rank
        self.reason = reason
        self.until = until
        self.endsAt = endsAt
        self.endsAtZone = endsAtZone
        self.endCondition = endCondition
    }

    public static func eligible(_ worker: String, rank: Int = 0) -> WorkerVerdict {
        WorkerVerdict(worker: worker, kind: .eligible, rank: rank)
    }

    public static func advisory(_ worker: String, reason: String, rank: Int = 0, until: Date? = nil) -> WorkerVerdict {
        WorkerVerdict(worker: worker, kind: .advisory, rank: rank, reason: reason, until: until)
    }

    public static func unavailable(_ worker: String, reason: String, until: Date? = nil, endsAt: Date? = nil,
                                   endsAtZone: String? = nil, endCondition: String? = nil) -> WorkerVerdict {
        WorkerVerdict(worker: worker, kind: .unavailable, reason: reason, until: until,
                      endsAt: endsAt, endsAtZone: endsAtZone, endCondition: endCondition)
    }

    /// Combines two plugins' verdicts on the same worker: the stricter kind wins, ranks
    /// add up, reasons join, and the earliest re-check time is kept. The worker is usable
    /// again once every verdict of the winning kind has ended: the latest of their ends
    /// when all are known, otherwise none, with the conditions that are known.
    public func merged(with other: WorkerVerdict) -> WorkerVerdict {
        func severity(_ k: Kind) -> Int { k == .eligible ? 0 : (k == .advisory ? 1 : 2) }
        let kind = severity(other.kind) > severity(self.kind) ? other.kind : self.kind
        let reasons = [reason, other.reason].compactMap { $0 }
        let times = [until, other.until].compactMap { $0 }
        let deciding = [self, other].filter { $0.kind == kind }
        let ends = deciding.compactMap(\.endsAt)
        let latest = ends.count == deciding.count ? deciding.max { ($0.endsAt ?? .distantPast) < ($1.endsAt ?? .distantPast) } : nil
        let conditions = deciding.compactMap(\.endCondition)
        return WorkerVerdict(worker: worker, kind: kind, rank: rank + other.rank,
                             reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
                             until: times.min(), endsAt: latest?.endsAt, endsAtZone: latest?.endsAtZone,
                             endCondition: conditions.isEmpty ? nil : conditions.joined(separator: ", "))
    }
}
