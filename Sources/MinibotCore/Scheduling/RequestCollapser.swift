/// Collapses pending requests of a builder into the newest one for the same source
/// (Buildbot's `collapseRequests`): when several commits land on a branch while a build is
/// waiting, one build at the newest revision is enough.
///
/// Requests collapse together when they are pending, collapsible (the caller's predicate: the
/// master passes "the builder has `collapse_requests` on and the request was made from
/// changes", so a forced request never collapses), for the same builder, for the same
/// repository, branch and project, and have equal properties. Revisions may differ: that is
/// the point. The newest request (latest `submittedAt`, then highest id) is kept.
///
/// Priority rule: collapsing never lowers a group's urgency. The kept request takes the highest
/// priority of its group; ``Result/raisedPriority`` lists the kept requests whose priority must
/// go up.
///
/// Pure: called by the master's distributor whenever requests are submitted; the distributor
/// marks the collapsed requests complete (SKIPPED) in the store, raises the kept requests'
/// priorities there and tells plugins (`requestRemoved`).
public enum RequestCollapser {
    public struct Result: Sendable, Equatable {
        /// Requests that stay pending, in input order.
        public var keep: [Int64]
        /// Each collapsed request and the request it collapsed into.
        public var collapsed: [Int64: Int64]
        /// For kept requests that absorbed others of higher priority: the highest priority of
        /// their group, so collapsing never lowers a request's urgency.
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
    /// kept out of it: they appear in no list. Pending requests that `isCollapsible` turns
    /// down are kept as they are.
    public static func collapse(_ requests: [BuildRequest],
                                where isCollapsible: (BuildRequest) -> Bool = { _ in true }) -> Result {
        let pending = requests.filter(\.isPending)
        let groups = Dictionary(grouping: pending.filter(isCollapsible)) {
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
