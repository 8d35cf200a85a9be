import Foundation
import MinibotCore
import Testing
@testable import MinibotStore

/// Buildsets, requests, claims and builds, on an in-memory database.
@Suite struct SQLiteStoreRequestTests {
    let store: SQLiteStore

    init() throws { store = try SQLiteStore.inMemory() }

    @Test func addBuildsetMakesOneRequestPerBuilder() async throws {
        let (buildset, requests) = try await store.addBuildset(
            Buildset(reason: "forced", schedulerName: "force", sourceStamp: stamp, properties: ["a": "1"],
                     submittedAt: t0),
            builders: ["test", "lint"], priority: 7)
        #expect(buildset.id > 0)
        #expect(requests.map(\.builderName) == ["test", "lint"])
        for request in requests {
            #expect(request.buildsetID == buildset.id)
            #expect(request.priority == 7 && request.reason == "forced" && request.properties == ["a": "1"])
            #expect(try await store.request(id: request.id) == request)
        }
    }

    @Test func buildsetWithAnUnknownChangeIsRefusedWhole() async throws {
        let error = await #expect(throws: StoreError.self) {
            try await store.submit(["test"], changeIDs: [42])
        }
        #expect(error?.message.contains("change 42") == true)
        #expect(try await store.pendingRequests().isEmpty)
    }

    @Test func pendingRequestsAreOldestFirstAndOnlyPending() async throws {
        let late = try await store.submit(["test"], offset: 30)[0]
        let early = try await store.submit(["test"], offset: 10)[0]
        let middle = try await store.submit(["lint"], offset: 20)[0]
        let claimed = try await store.submit(["test"], offset: 0)[0]
        _ = try await store.mustStart(claimed)
        let completed = try await store.submit(["test"], offset: 5)[0]
        _ = try await store.completeRequests([completed.id], results: .cancelled, at: at(40))

        #expect(try await store.pendingRequests().map(\.id) == [early.id, middle.id, late.id])
    }

    @Test func requestsFilterByClaimAndCompletion() async throws {
        let pending = try await store.submit(["a"])[0]
        let running = try await store.submit(["b"])[0]
        let done = try await store.submit(["c"])[0]
        _ = try await store.mustStart(running)
        let build = try await store.mustStart(done)
        try await store.finishBuild(id: build.id, results: .success, stateString: "done", at: at(2), properties: [:])

        #expect(try await store.requests(claimed: nil, complete: nil, limit: 10).map(\.id)
            == [done.id, running.id, pending.id])
        #expect(try await store.requests(claimed: false, complete: nil, limit: 10).map(\.id) == [pending.id])
        #expect(try await store.requests(claimed: true, complete: false, limit: 10).map(\.id) == [running.id])
        #expect(try await store.requests(claimed: nil, complete: true, limit: 10).map(\.id) == [done.id])
        #expect(try await store.requests(claimed: nil, complete: nil, limit: 1).map(\.id) == [done.id])
    }

    @Test func completeRequestsOnlyCompletesPendingOnes() async throws {
        let pending = try await store.submit(["a"])[0]
        let claimed = try await store.submit(["b"])[0]
        let finished = try await store.submit(["c"])[0]
        _ = try await store.mustStart(claimed)
        _ = try await store.completeRequests([finished.id], results: .skipped, at: at(1))

        let done = try await store.completeRequests([pending.id, claimed.id, finished.id, 999], results: .cancelled,
                                                    at: at(2))
        #expect(done == [pending.id])
        let cancelled = try #require(try await store.request(id: pending.id))
        #expect(cancelled.isComplete && cancelled.results == .cancelled && cancelled.completedAt == at(2))
        let stillClaimed = try #require(try await store.request(id: claimed.id))
        #expect(stillClaimed.claimedBy == "m1" && !stillClaimed.isComplete)
        #expect(try await store.request(id: finished.id)?.results == .skipped)
        #expect(try await store.startBuild(requestID: pending.id, master: "m1", worker: "w1", at: at(3),
                                           properties: [:]) == nil)
    }

    @Test func raisePriorityOnlyRaisesPendingRequests() async throws {
        let pending = try await store.submit(["a"], priority: 1)[0]
        let claimed = try await store.submit(["b"], priority: 1)[0]
        _ = try await store.mustStart(claimed)

        #expect(try await store.raisePriority(requestID: pending.id, to: 5))
        #expect(try await store.request(id: pending.id)?.priority == 5)
        #expect(try await !store.raisePriority(requestID: pending.id, to: 3))
        #expect(try await store.request(id: pending.id)?.priority == 5)
        #expect(try await !store.raisePriority(requestID: claimed.id, to: 9))
        #expect(try await store.request(id: claimed.id)?.priority == 1)
        #expect(try await !store.raisePriority(requestID: 999, to: 9))
    }

    @Test func startBuildClaimsAndRefusesASecondClaim() async throws {
        let request = try await store.submit(["test"])[0]
        let build = try #require(try await store.startBuild(requestID: request.id, master: "m1", worker: "w2",
                                                            at: at(1), properties: ["p": "v"]))
        #expect(build.number == 1 && build.builderName == "test" && build.workerName == "w2")
        #expect(build.properties == ["p": "v"] && build.results == nil && !build.isComplete)
        #expect(try await store.build(id: build.id) == build)
        let claimed = try #require(try await store.request(id: request.id))
        #expect(claimed.claimedBy == "m1" && claimed.claimedAt == at(1))
        #expect(try await store.startBuild(requestID: request.id, master: "m2", worker: "w1", at: at(2),
                                           properties: [:]) == nil)
        #expect(try await store.startBuild(requestID: 12345, master: "m2", worker: "w1", at: at(2),
                                           properties: [:]) == nil)
    }

    @Test func retryMakesTheRequestPendingAgainWithItsPlace() async throws {
        let request = try await store.submit(["test"], offset: 0, priority: 5)[0]
        let first = try await store.mustStart(request, offset: 1)
        try await store.finishBuild(id: first.id, results: .retry, stateString: "worker lost", at: at(2),
                                    properties: [:])

        let again = try #require(try await store.request(id: request.id))
        #expect(again.isPending && again.claimedAt == nil && again.results == nil)
        #expect(again.submittedAt == request.submittedAt && again.priority == 5)
        #expect(try await store.pendingRequests().map(\.id) == [request.id])
        let retried = try #require(try await store.build(id: first.id))
        #expect(retried.results == .retry && retried.completedAt == at(2) && retried.stateString == "worker lost")

        let second = try await store.mustStart(request, offset: 3)
        #expect(second.number == 2)
        try await store.finishBuild(id: second.id, results: .failure, stateString: "failed", at: at(4),
                                    properties: [:])
        let done = try #require(try await store.request(id: request.id))
        #expect(done.isComplete && done.results == .failure && done.completedAt == at(4))
        #expect(try await store.pendingRequests().isEmpty)
        #expect(try await store.builds(requestID: request.id).map(\.number) == [1, 2])
    }

    @Test func aSecondFinishChangesNothing() async throws {
        let request = try await store.submit(["test"])[0]
        let first = try await store.mustStart(request)
        try await store.finishBuild(id: first.id, results: .retry, stateString: "lost", at: at(2), properties: [:])
        let second = try await store.mustStart(request, master: "m2")
        // A late duplicate finish of the first build must not release the second's claim.
        try await store.finishBuild(id: first.id, results: .retry, stateString: "lost again", at: at(3),
                                    properties: [:])
        #expect(try await store.request(id: request.id)?.claimedBy == "m2")
        #expect(try await store.build(id: first.id)?.stateString == "lost")
        #expect(try await store.build(id: second.id)?.isComplete == false)
    }

    @Test func finishMergesProperties() async throws {
        let request = try await store.submit(["test"])[0]
        let build = try #require(try await store.startBuild(requestID: request.id, master: "m1", worker: "w1",
                                                            at: at(1), properties: ["a": "1", "b": "2"]))
        try await store.finishBuild(id: build.id, results: .success, stateString: "build successful", at: at(2),
                                    properties: ["b": "3", "got_revision": "abc"])
        #expect(try await store.build(id: build.id)?.properties == ["a": "1", "b": "3", "got_revision": "abc"])
    }

    @Test func finishingAnUnknownBuildSaysSo() async throws {
        let error = await #expect(throws: StoreError.self) {
            try await store.finishBuild(id: 77, results: .success, stateString: "", at: t0, properties: [:])
        }
        #expect(error?.message.contains("build 77") == true)
    }

    @Test func buildNumbersArePerBuilder() async throws {
        var numbers: [String] = []
        for builder in ["a", "b", "a", "a", "b"] {
            let request = try await store.submit([builder])[0]
            let build = try await store.mustStart(request)
            numbers.append("\(build.builderName)\(build.number)")
        }
        #expect(numbers == ["a1", "b1", "a2", "a3", "b2"])
        #expect(try await store.build(builder: "a", number: 2)?.builderName == "a")
        #expect(try await store.build(builder: "b", number: 3) == nil)
        #expect(try await store.builds(builder: "a", limit: 2).map(\.number) == [3, 2])
        #expect(try await store.builds(builder: nil, limit: 10).map { "\($0.builderName)\($0.number)" }
            == ["b2", "a3", "a2", "b1", "a1"])
    }

    @Test func runningBuildsAreThoseOfTheMasterNotFinished() async throws {
        let requests = try await store.submit(["a", "b", "c", "d"])
        let mine = try await store.mustStart(requests[0], master: "m1")
        let finished = try await store.mustStart(requests[1], master: "m1")
        _ = try await store.mustStart(requests[2], master: "m2")
        let alsoMine = try await store.mustStart(requests[3], master: "m1")
        try await store.finishBuild(id: finished.id, results: .success, stateString: "", at: at(2), properties: [:])

        let running = try await store.runningBuilds(master: "m1")
        #expect(running.map(\.id) == [mine.id, alsoMine.id])
        // Recovery after a restart: each lost build ends as RETRY and its request waits again.
        for build in running {
            try await store.finishBuild(id: build.id, results: .retry, stateString: "master restarted", at: at(3),
                                        properties: [:])
        }
        #expect(try await store.runningBuilds(master: "m1").isEmpty)
        #expect(try await store.pendingRequests().map(\.id) == [requests[0].id, requests[3].id])
    }

    @Test func buildCountsCountBuildsStartedSinceADate() async throws {
        let requests = try await store.submit(["a", "a", "b", "b", "c"])
        _ = try await store.mustStart(requests[0], worker: "w1", offset: 1)
        _ = try await store.mustStart(requests[1], worker: "w1", offset: 10)
        _ = try await store.mustStart(requests[2], worker: "w2", offset: 10)
        _ = try await store.mustStart(requests[3], worker: "w1", offset: 20)
        _ = try await store.mustStart(requests[4], worker: "w3", offset: 5)

        #expect(try await store.buildCounts(since: at(10)) == ["w1": 2, "w2": 1])
        #expect(try await store.buildCounts(since: at(0)) == ["w1": 3, "w2": 1, "w3": 1])
        #expect(try await store.buildCounts(since: at(21)) == [:])
    }
}
