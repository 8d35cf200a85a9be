import Foundation
import MinibotCore
import MinibotStore

/// Claims: one statement decides who owns a request, and only the owner's build ends it.
extension StoreConformance {
    /// Many claimers on two stores (two masters on one database) race for each request:
    /// exactly one is granted a build, and the request and its builds say who.
    public static func atomicClaim(make: @escaping Make) async throws {
        let first = try await make()
        let second = try await make()
        for round in 0..<3 {
            let request = try await submit(first, ["test"], offset: Double(round))[0]
            let winners = try await withThrowingTaskGroup(of: String?.self) { group in
                for contender in 0..<8 {
                    let store = contender.isMultiple(of: 2) ? first : second
                    let master = "m\(contender)"
                    group.addTask {
                        let build = try await store.startBuild(requestID: request.id, master: master,
                                                               worker: "w\(contender)", at: at(100), properties: [:])
                        return build == nil ? nil : master
                    }
                }
                var winners: [String] = []
                for try await winner in group { if let winner { winners.append(winner) } }
                return winners
            }
            try checkEqual(winners.count, 1, "claimers granted request \(request.id)")
            try checkEqual(try await second.builds(requestID: request.id).count, 1, "builds of request \(request.id)")
            try checkEqual(try await first.request(id: request.id)?.claimedBy, winners.first,
                           "claimer recorded on request \(request.id)")
        }
        // Build numbers are per builder and never handed out twice, whoever won.
        try checkEqual(try await first.builds(builder: "test", limit: 10).map(\.number), [3, 2, 1],
                       "build numbers of builder test")
    }

    /// A claim on a request that is claimed, completed (with or without a build) or unknown
    /// is refused with nil and changes nothing.
    public static func claimLost(make: @escaping Make) async throws {
        let store = try await make()
        let request = try await submit(store, ["test"])[0]
        guard let build = try await store.startBuild(requestID: request.id, master: "m1", worker: "w2", at: at(1),
                                                     properties: ["p": "v"]) else {
            throw Failure(message: "a pending request could not be claimed", line: #line)
        }
        try check(build.number == 1 && build.builderName == "test" && build.workerName == "w2"
                  && build.buildRequestID == request.id, "the new build describes its claim: \(build)")
        try check(build.properties == ["p": "v"] && build.results == nil && !build.isComplete,
                  "the new build is running with its properties: \(build)")
        try checkEqual(try await store.build(id: build.id), build, "the build as read back")
        let claimed = try await store.request(id: request.id)
        try check(claimed?.claimedBy == "m1" && claimed?.claimedAt == at(1) && claimed?.isPending == false,
                  "the claimed request names its claimer: \(String(describing: claimed))")

        try checkEqual(try await store.startBuild(requestID: request.id, master: "m2", worker: "w1", at: at(2),
                                                  properties: [:]), nil, "a second claim of a claimed request")
        try checkEqual(try await store.builds(requestID: request.id).map(\.id), [build.id],
                       "builds after a refused claim")

        try await store.finishBuild(id: build.id, results: .success, stateString: "done", at: at(3), properties: [:])
        try checkEqual(try await store.startBuild(requestID: request.id, master: "m2", worker: "w1", at: at(4),
                                                  properties: [:]), nil, "a claim of a request its build completed")

        let cancelled = try await submit(store, ["test"])[0]
        try checkEqual(try await store.completeRequests([cancelled.id], results: .cancelled, at: at(5)), [cancelled.id],
                       "completing a pending request")
        try checkEqual(try await store.startBuild(requestID: cancelled.id, master: "m1", worker: "w1", at: at(6),
                                                  properties: [:]), nil, "a claim of a cancelled request")
        try checkEqual(try await store.startBuild(requestID: 987_654, master: "m1", worker: "w1", at: at(6),
                                                  properties: [:]), nil, "a claim of an unknown request")
    }

    /// Only the claimer's build ends a claimed request: completing it from outside (collapse,
    /// cancel) leaves it alone, and a late finish of an earlier build (a claim since lost)
    /// neither releases nor completes the newer claim.
    public static func completeOnlyByClaimer(make: @escaping Make) async throws {
        let store = try await make()
        let request = try await submit(store, ["test"])[0]
        let first = try await mustStart(store, request, master: "m1")
        try checkEqual(try await store.completeRequests([request.id], results: .skipped, at: at(101)), [],
                       "completing a claimed request from outside")
        let stillClaimed = try await store.request(id: request.id)
        try check(stillClaimed?.claimedBy == "m1" && stillClaimed?.isComplete == false,
                  "the claimed request is untouched: \(String(describing: stillClaimed))")

        // m1 loses the build (RETRY); m2 claims the request again.
        try await store.finishBuild(id: first.id, results: .retry, stateString: "worker lost", at: at(102),
                                    properties: [:])
        let second = try await mustStart(store, request, master: "m2", offset: 103)
        // A late duplicate finish of m1's build, with a result that would complete the request.
        try await store.finishBuild(id: first.id, results: .failure, stateString: "late", at: at(104), properties: [:])
        let afterLate = try await store.request(id: request.id)
        try check(afterLate?.claimedBy == "m2" && afterLate?.isComplete == false,
                  "a stale finish changed the newer claim: \(String(describing: afterLate))")
        let firstAgain = try await store.build(id: first.id)
        try check(firstAgain?.results == .retry && firstAgain?.stateString == "worker lost",
                  "a stale finish rewrote the ended build: \(String(describing: firstAgain))")
        try checkEqual(try await store.build(id: second.id)?.isComplete, false, "the claimer's build is running")

        try await store.finishBuild(id: second.id, results: .success, stateString: "done", at: at(105),
                                    properties: [:])
        let done = try await store.request(id: request.id)
        try check(done?.isComplete == true && done?.results == .success && done?.completedAt == at(105),
                  "the claimer's finish completes the request: \(String(describing: done))")
    }
}
