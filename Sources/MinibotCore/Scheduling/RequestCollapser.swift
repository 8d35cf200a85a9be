/// Collapses pending requests of a builder into the newest one for the same source
/// (Buildbot's `collapseRequests`): when several commits land on a branch while a build is
/// waiting, one build at the newest revision is enough.
///
/// Requests collapse together when they are pending, for the same builder, for the same
/// repository, branch and project, and have equal properties (a forced build with its own
/// properties is never swallowed). Revisions may differ: that is the point. The newest
/// request (latest `submittedAt`, then highest id) is kept. Called by the master for builders
/// whose `collapse_requests` is on, before each distributor pass; the master marks the
/// collapsed requests complete (SKIPPED) in the store and tells plugins (`requestRemoved`).
public enum RequestCollapser {
    public struct Result: Sendable, Equatable {
        /// Requests that stay pending, in input order.
        public var keep: [Int64]
        /// Each collapsed request and the request it collapsed into.
        public var collapsed: [Int64: Int64]
        /// For kept requests that absorbed others: the highest priority of their group, so
        /// collapsing never lowers a request's urgency.
        public var raisedPriority: [Int64: Int]

        public init(keep: [Int64], collapsed: [Int64: Int64], raisedPriority: [Int64: Int] = [:]) {
            self.keep = keep
            self.collapsed = collapsed
            self.raisedPriority = raisedPriority
        }
    }

    private struct GroupKey: Hashable {
        var builder: String
        var repository: String
        var branch: String?
        var project: String
        var properties: [String: String]
    }

    /// Which of `requests` to keep and which to collapse. Requests that are not pending are
    /// kept out of it: they appear in neither list.
    public static func collapse(_ requests: [BuildRequest]) -> Result {
        let pending = requests.filter(\.isPending)
        let groups = Dictionary(grouping: pending) {
            GroupKey(builder: $0.builderName, repository: $0.sourceStamp.repository, branch: $0.sourceStamp.branch,
                     project: $0.sourceStamp.project, properties: $0.properties)
        }
        var collapsed: [Int64: Int64] = [:]
        var raised: [Int64: Int] = [:]
        for group in groups.values where group.count > 1 {
            guard let newest = group.max(by: { ($0.submittedAt, $0.id) < ($1.submittedAt, $1.id) }) else { continue }
            for r in group where r.id != newest.id { collapsed[r.id] = newest.id }
            let top = group.map(\.priority).max() ?? newest.priority
            if top > newest.priority { raised[newest.id] = top }
        }
        return Result(keep: pending.map(\.id).filter { collapsed[$0] == nil }, collapsed: collapsed, raisedPriority: raised)
    }
}
