import Foundation
import MinibotCore
import MinibotStore

/// Restart recovery and the order pending requests are served in.
extension StoreConformance {
    /// A master that restarts finds the builds it left running (its own only), ends them as
    /// RETRY, and their requests are pending again in their old place: same priority and
    /// submitted time, so they still run before requests submitted after them.
    public static func restartRecovery(make: @escaping Make) async throws {
        let before = try await make()
        let requests = try await submit(before, ["a", "b", "c", "d"], offset: 0)
        let later = try await submit(before, ["a"], offset: 10)[0]
        let lost = try await mustStart(before, requests[0], master: "m1")
        let finished = try await mustStart(before, requests[1], master: "m1")
        let otherMaster = try await mustStart(before, requests[2], master: "m2")
        let alsoLost = try await mustStart(before, requests[3], master: "m1")
        try await before.finishBuild(id: finished.id, results: .success, stateString: "done", at: at(101),
                                     properties: [:])

        // The restart: a new store on the same database.
        let after = try await make()
        let running = try await after.runningBuilds(master: "m1")
        try checkEqual(running.map(\.id), [lost.id, alsoLost.id], "running builds of m1 after a restart")
        for build in running {
            try await after.finishBuild(id: build.id, results: .retry, stateString: "master restarted", at: at(200),
                                        properties: build.properties)
        }
        try checkEqual(try await after.runningBuilds(master: "m1").map(\.id), [], "running builds of m1 after recovery")
        try checkEqual(try await after.runningBuilds(master: "m2").map(\.id), [otherMaster.id],
                       "running builds of another master")
        try checkEqual(try await after.pendingRequests().map(\.id), [requests[0].id, requests[3].id, later.id],
                       "pending requests after recovery (retried ones keep their place)")
        for request in [requests[0], requests[3]] {
            let again = try await after.request(id: request.id)
            try check(again?.isPending == true && again?.claimedBy == nil && again?.claimedAt == nil
                      && again?.results == nil, "request \(request.id) is pending again: \(String(describing: again))")
            try check(again?.submittedAt == request.submittedAt && again?.priority == request.priority,
                      "request \(request.id) kept its submitted time and priority: \(String(describing: again))")
        }
        try checkEqual(try await after.build(id: lost.id)?.results, .retry, "the lost build's result")
        // The retried request runs again as a new build with the next number.
        let rerun = try await mustStart(after, requests[0], master: "m1", offset: 201)
        try checkEqual(rerun.number, 2, "number of the rerun of builder a")
        try checkEqual(try await after.builds(requestID: requests[0].id).map(\.id), [lost.id, rerun.id],
                       "builds of the retried request, oldest first")
    }

    /// Pending requests come in serving order: higher priority first, then earlier
    /// submitted, then lower id (the order of ``DistributorPolicy/servesBefore(_:_:)``, so a
    /// restarted master serves them as it would have). Claimed and completed ones are left
    /// out, and a request a RETRY made pending again goes back to its place, not to the end.
    public static func pendingOrder(make: @escaping Make) async throws {
        let store = try await make()
        let late = try await submit(store, ["test"], offset: 30)[0]
        let urgentLate = try await submit(store, ["test"], offset: 40, priority: 5)[0]
        let early = try await submit(store, ["test"], offset: 10)[0]
        let sameTime = try await submit(store, ["lint", "test"], offset: 20)
        let urgentEarly = try await submit(store, ["lint"], offset: 35, priority: 5)[0]
        let low = try await submit(store, ["test"], offset: 0, priority: -1)[0]
        let claimed = try await submit(store, ["test"], offset: 1)[0]
        _ = try await mustStart(store, claimed)
        let completed = try await submit(store, ["test"], offset: 2)[0]
        _ = try await store.completeRequests([completed.id], results: .cancelled, at: at(50))
        let expected = [urgentEarly.id, urgentLate.id, early.id, sameTime[0].id, sameTime[1].id, late.id, low.id]
        try checkEqual(try await store.pendingRequests().map(\.id), expected, "pending requests in serving order")

        // Claim the head and lose the build: it is first again.
        let head = try await mustStart(store, urgentEarly, master: "m1", offset: 60)
        try checkEqual(try await store.pendingRequests().map(\.id), Array(expected.dropFirst()),
                       "pending requests while the head is claimed")
        try await store.finishBuild(id: head.id, results: .retry, stateString: "worker lost", at: at(61),
                                    properties: [:])
        try checkEqual(try await store.pendingRequests().map(\.id), expected, "pending requests after a RETRY")
    }
}
