import Foundation
import MinibotCore
import MinibotStore

/// Buildsets: their changes in order, a request per builder in order, all or nothing.
extension StoreConformance {
    /// A buildset of two changes for three builders reads back with its changes in the order
    /// given and one pending request per builder, numbered in that order; one that names a
    /// change the database does not have is refused with a ``StoreError`` and records nothing;
    /// one for no builder records the buildset alone.
    public static func buildsetsAndChanges(make: @escaping Make) async throws {
        let store = try await make()
        var ids: [Int64] = []
        for (n, revision) in ["c0ffee", "decade"].enumerated() {
            ids.append(try await store.addChange(Change(revision: revision, branch: "main", repository: stamp.repository,
                                                        author: "ann", comments: "commit \(n)", when: at(Double(n)),
                                                        source: "conformance")).id)
        }
        let changed = Buildset(reason: "two commits", schedulerName: "main", sourceStamp: stamp, submittedAt: at(10),
                               changeIDs: ids.reversed())
        let (recorded, requests) = try await store.addBuildset(changed, builders: ["c", "a", "b"], priority: 2)
        try checkEqual(requests.map(\.builderName), ["c", "a", "b"], "the requests' builders, in the order given")
        try check(requests.map(\.id) == requests.map(\.id).sorted() && Set(requests.map(\.id)).count == 3,
                  "request ids in the order given: \(requests.map(\.id))")
        try check(requests.allSatisfy { $0.buildsetID == recorded.id && $0.priority == 2 },
                  "the requests belong to buildset \(recorded.id) with priority 2: \(requests)")
        let read = try await (make()).buildset(id: recorded.id)
        try checkEqual(read?.changeIDs, Array(ids.reversed()), "the buildset's changes, in the order given")
        try checkEqual(try await store.pendingRequests().map(\.id).sorted(), requests.map(\.id), "the pending requests")

        let missing = Buildset(reason: "lost commit", schedulerName: "main", sourceStamp: stamp, submittedAt: at(11),
                               changeIDs: [ids[0], 999_999])
        do {
            _ = try await store.addBuildset(missing, builders: ["a"], priority: 0)
            throw Failure(message: "a buildset naming a change that does not exist was recorded", line: #line)
        } catch is StoreError {
            // The rule: refused as a whole.
        }
        try checkEqual(try await store.pendingRequests().map(\.id).sorted(), requests.map(\.id),
                       "the pending requests after a refused buildset")

        let alone = try await store.addBuildset(Buildset(reason: "nobody", schedulerName: "main", sourceStamp: stamp,
                                                         submittedAt: at(12)), builders: [], priority: 0)
        try check(alone.0.id > recorded.id && alone.1.isEmpty, "a buildset for no builder: \(alone)")
    }
}
