import Foundation
import MinibotCore
import MinibotStore

/// The janitor's deletion of whole builds (`keep_builds`).
extension StoreConformance {
    /// A buildset goes once every request of it completed before the cutoff, with its
    /// requests, builds (RETRY ones too), steps and logs; one still pending, one that ended
    /// after the cutoff and one that holds its builder's newest build stay whole.
    public static func pruningBuilds(make: @escaping Make) async throws {
        let store = try await make()
        // a: two buildsets, both old (the second holds a's newest build); b: one old; c: one
        // that ends after the cutoff; d: one still pending.
        var requests: [BuildRequest] = []
        for (i, builder) in ["a", "a", "b", "b", "c", "d"].enumerated() {
            requests += try await submit(store, [builder], offset: Double(i))
        }
        var builds: [Build] = []
        for (i, request) in requests.prefix(5).enumerated() {
            if i == 0 {
                // The first request ran twice: a RETRY, then a SUCCESS.
                let lost = try await mustStart(store, request, offset: 5)
                try await store.startStep(BuildStep(buildID: lost.id, number: 0, name: "make", startedAt: at(10)))
                try await store.appendLog(buildID: lost.id, step: 0, stream: .stdout, text: "lost\n")
                _ = try await store.finishBuild(id: lost.id, results: .retry, stateString: "lost", at: at(11), properties: [:])
                builds.append(lost)
            }
            let build = try await mustStart(store, request, offset: 12)
            try await store.startStep(BuildStep(buildID: build.id, number: 0, name: "make", startedAt: at(20)))
            try await store.appendLog(buildID: build.id, step: 0, stream: .stdout, text: "built \(i)\n")
            builds.append(build)
        }
        // Ends: a's two and b's first at 30…32, b's second at 33, c's at 200 (after the cutoff).
        let ends: [(Int, Double)] = [(1, 30), (2, 31), (3, 32), (4, 33), (5, 200)]
        for (index, time) in ends {
            _ = try await store.finishBuild(id: builds[index].id, results: .success, stateString: "ok", at: at(time),
                                            properties: [:])
        }
        // b's first buildset is old but b's second holds b's newest build: only the first goes.
        let deleted = try await store.pruneBuilds(endedBefore: at(100))
        try checkEqual(deleted, 3, "builds deleted: the RETRY and the SUCCESS of a's first request, b's first")
        for gone in [builds[0], builds[1], builds[3]] {
            try check(try await store.build(id: gone.id) == nil, "build \(gone.id) is still there")
            try checkEqual(try await store.steps(buildID: gone.id), [], "the steps of deleted build \(gone.id)")
            try checkEqual(try await store.readLog(buildID: gone.id, step: 0, afterChunk: 0, limit: 10).map(\.text), [],
                           "the log of deleted build \(gone.id)")
        }
        try check(try await store.request(id: requests[0].id) == nil, "request \(requests[0].id) is still there")
        try check(try await store.request(id: requests[2].id) == nil, "request \(requests[2].id) is still there")
        for kept in [builds[2], builds[4], builds[5]] {
            try check(try await store.build(id: kept.id) != nil, "build \(kept.id) was deleted")
            try checkEqual(try await store.readLog(buildID: kept.id, step: 0, afterChunk: 0, limit: 10).count, 1,
                           "the log of kept build \(kept.id)")
        }
        try checkEqual(try await store.pendingRequests().map(\.id), [requests[5].id], "the pending request stays")
        try checkEqual(try await store.pruneBuilds(endedBefore: at(100)), 0, "a second run finds nothing more")
        // The next build of a builder is numbered after its newest, as before.
        let next = try await mustStart(store, try await submit(store, ["b"], offset: 50)[0], offset: 51)
        try checkEqual(next.number, 3, "b's next build number")
        _ = try await store.reclaimSpace(pages: 100)
    }
}
