import Foundation
import MinibotCore
import Testing
@testable import MinibotSQLite
import MinibotStore

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
