import Foundation
import MinibotCore
import MinibotStore

/// Fencing: once a build's claim is gone, nothing written for that build lands.
extension StoreConformance {
    /// A build whose claim ended elsewhere (a restarted master ended it RETRY, another master
    /// claimed its request again) can write nothing more: step starts and ends and log
    /// appends throw a claim-lost ``StoreError``, its finish returns false, and the new
    /// claim's build and request are untouched. The claimer's own writes land, and its
    /// finish reports true once.
    public static func fencedWrites(make: @escaping Make) async throws {
        let store = try await make()
        let request = try await submit(store, ["test"])[0]
        let lost = try await mustStart(store, request, master: "m1")
        try await store.startStep(BuildStep(buildID: lost.id, number: 0, name: "git", startedAt: at(101)))
        try await store.appendLog(buildID: lost.id, step: 0, stream: .stdout, text: "before\n")

        // Another store on the same database (m1 restarted, or the reaper of another master)
        // ends the build RETRY, and m2 claims the request again.
        let other = try await make()
        try checkEqual(try await other.finishBuild(id: lost.id, results: .retry, stateString: "master lost",
                                                   at: at(102), properties: [:]), true, "ending a running build")
        let current = try await mustStart(other, request, master: "m2", offset: 103)

        try await expectClaimLost("a step start of the lost build") {
            try await store.startStep(BuildStep(buildID: lost.id, number: 1, name: "make", startedAt: at(104)))
        }
        try await expectClaimLost("a step end of the lost build") {
            try await store.finishStep(buildID: lost.id, number: 0, results: .success, stateString: "late", at: at(104))
        }
        try await expectClaimLost("a log append of the lost build") {
            try await store.appendLog(buildID: lost.id, step: 0, stream: .stdout, text: "after\n")
        }
        try checkEqual(try await store.finishBuild(id: lost.id, results: .success, stateString: "late", at: at(105),
                                                   properties: [:]), false, "a finish of the lost build")
        let steps = try await other.steps(buildID: lost.id)
        try check(steps.count == 1 && steps[0].completedAt == nil,
                  "the lost build's steps as they were before the claim was lost: \(steps)")
        try checkEqual(try await other.readLog(buildID: lost.id, step: 0, afterChunk: 0, limit: 10).map(\.text),
                       ["before\n"], "the lost build's log")
        let claimed = try await other.request(id: request.id)
        try check(claimed?.claimedBy == "m2" && claimed?.isComplete == false,
                  "the new claim is untouched: \(String(describing: claimed))")

        // The current claimer writes and finishes; a second finish changes nothing.
        try await other.startStep(BuildStep(buildID: current.id, number: 0, name: "git", startedAt: at(106)))
        try await other.appendLog(buildID: current.id, step: 0, stream: .stdout, text: "ok\n")
        try await other.finishStep(buildID: current.id, number: 0, results: .success, stateString: "git", at: at(107))
        try checkEqual(try await other.finishBuild(id: current.id, results: .success, stateString: "done", at: at(108),
                                                   properties: [:]), true, "the claimer's finish")
        try checkEqual(try await other.finishBuild(id: current.id, results: .failure, stateString: "again", at: at(109),
                                                   properties: [:]), false, "a second finish")
        let done = try await other.request(id: request.id)
        try check(done?.isComplete == true && done?.results == .success,
                  "the request completed by its claimer: \(String(describing: done))")
    }

    /// `write` must throw a claim-lost ``StoreError``.
    static func expectClaimLost(_ what: String, line: UInt = #line,
                                _ write: () async throws -> Void) async throws {
        do {
            try await write()
        } catch let error as StoreError {
            try check(error.isClaimLost, "\(what) failed, but not as claim lost: \(error)", line: line)
            return
        }
        throw Failure(message: "\(what) was accepted after the claim was lost", line: line)
    }
}
