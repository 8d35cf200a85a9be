import Foundation

/// A request's per-worker reasons summed by kind, as Nomad sums its filters: for each kind
/// of obstacle, how many workers it holds back and the earliest predicted end among them.
///
/// Pure: made from the reasons the distributor keeps, so the API, `minibot pending` and the
/// page say the same. Kinds come in ``WaitingKind`` order; a request-wide reason (no worker)
/// is not counted (a lock on the whole master is one, and it names no worker).
public struct WaitingSummary: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var kind: WaitingKind
        public var workers: Int
        /// The earliest ``WaitingReason/until`` of these workers; nil when none is known.
        public var until: Date?
        /// The zone of the window that ends at ``until``, if it is a window's end.
        public var untilZone: String?

        public init(kind: WaitingKind, workers: Int, until: Date? = nil, untilZone: String? = nil) {
            self.kind = kind
            self.workers = workers
            self.until = until
            self.untilZone = untilZone
        }
    }

    public var entries: [Entry]

    public init(_ reasons: [WaitingReason]) {
        var byKind: [WaitingKind: Entry] = [:]
        var seen: Set<String> = []
        for reason in reasons {
            guard let worker = reason.worker, let kind = reason.kind, seen.insert(worker).inserted else { continue }
            var entry = byKind[kind] ?? Entry(kind: kind, workers: 0)
            entry.workers += 1
            if let until = reason.until, entry.until.map({ until < $0 }) ?? true {
                entry.until = until
                entry.untilZone = reason.untilZone
            }
            byKind[kind] = entry
        }
        entries = WaitingKind.allCases.compactMap { byKind[$0] }
    }
}
