import Foundation
import Testing
import MinibotCore

private let t0 = Date(timeIntervalSinceReferenceDate: 700_000_000)

private func req(_ id: Int64, builder: String = "test", branch: String? = "main", repository: String = "/srv/demo.git",
                 project: String = "", revision: String? = nil, at seconds: Double, priority: Int = 0,
                 properties: [String: String] = [:], claimedBy: String? = nil, isComplete: Bool = false) -> BuildRequest {
    BuildRequest(id: id, builderName: builder, priority: priority, submittedAt: t0.addingTimeInterval(seconds),
                 reason: "r", sourceStamp: SourceStamp(repository: repository, branch: branch, revision: revision,
                                                       project: project),
                 properties: properties, claimedBy: claimedBy, isComplete: isComplete)
}

@Suite struct RequestCollapserTests {
    @Test func requestsForTheSameBranchCollapseIntoTheNewest() {
        let result = RequestCollapser.collapse([
            req(1, revision: "a", at: 0), req(2, revision: "b", at: 5), req(3, revision: "c", at: 3),
        ])
        #expect(result.keep == [2])
        #expect(result.collapsed == [1: 2, 3: 2])
        #expect(result.raisedPriority.isEmpty)
    }

    @Test func differentBranchesRepositoriesBuildersAndPropertiesStayApart() {
        let result = RequestCollapser.collapse([
            req(1, at: 0), req(2, branch: "dev", at: 1), req(3, repository: "/srv/other.git", at: 2),
            req(4, builder: "lint", at: 3), req(5, at: 4, properties: ["release": "yes"]), req(6, at: 5),
        ])
        #expect(result.keep == [2, 3, 4, 5, 6])
        #expect(result.collapsed == [1: 6])
    }

    @Test func claimedRequestsAreLeftAlone() {
        let result = RequestCollapser.collapse([req(1, at: 0, claimedBy: "master"), req(2, at: 1), req(3, at: 2)])
        #expect(result.keep == [3])
        #expect(result.collapsed == [2: 3])
    }

    @Test func theKeptRequestTakesTheGroupsHighestPriority() {
        let result = RequestCollapser.collapse([req(1, at: 0, priority: 7), req(2, at: 1, priority: 1)])
        #expect(result.keep == [2])
        #expect(result.raisedPriority == [2: 7])
    }

    @Test func sameTimeFallsBackToTheHighestID() {
        let result = RequestCollapser.collapse([req(4, at: 0), req(9, at: 0)])
        #expect(result.keep == [9])
        #expect(result.collapsed == [4: 9])
    }

    @Test func differentProjectsStayApart() {
        let result = RequestCollapser.collapse([
            req(1, project: "web", at: 0), req(2, project: "api", at: 1), req(3, project: "web", at: 2),
        ])
        #expect(result.keep == [2, 3])
        #expect(result.collapsed == [1: 3])
    }

    @Test func onlyEqualPropertiesCollapse() {
        let result = RequestCollapser.collapse([
            req(1, at: 0, properties: ["scheduler": "commits"]), req(2, at: 1, properties: ["scheduler": "nightly"]),
            req(3, at: 2, properties: ["scheduler": "commits"]), req(4, at: 3, properties: ["scheduler": "nightly", "x": "1"]),
        ])
        #expect(result.keep == [2, 3, 4])
        #expect(result.collapsed == [1: 3])
    }

    @Test func aKeptRequestOfHigherPriorityIsNotRaised() {
        let result = RequestCollapser.collapse([req(1, at: 0, priority: 2), req(2, at: 1, priority: 5)])
        #expect(result.collapsed == [1: 2])
        #expect(result.raisedPriority.isEmpty)
    }

    @Test func priorityIsRaisedToTheHighestOfTheWholeGroupOnly() {
        let result = RequestCollapser.collapse([
            req(1, at: 0, priority: 3), req(2, at: 1, priority: 9), req(3, at: 2, priority: 1),
            req(4, branch: "dev", at: 3, priority: 20), req(5, branch: "dev", at: 4, priority: 0),
            req(6, builder: "lint", at: 5, priority: 50),
        ])
        #expect(result.keep == [3, 5, 6])
        #expect(result.collapsed == [1: 3, 2: 3, 4: 5])
        #expect(result.raisedPriority == [3: 9, 5: 20])
    }

    @Test func requestsTheCallerTurnsDownAreKeptAndAbsorbNothing() {
        // The master's predicate: only requests made from changes collapse; a forced one never does.
        let fromChanges = ["scheduler": "commits"]
        let forced = ["scheduler": "force"]
        let result = RequestCollapser.collapse([
            req(1, at: 0, properties: fromChanges), req(2, at: 1, properties: forced),
            req(3, at: 2, properties: forced), req(4, at: 3, priority: 4, properties: fromChanges),
        ]) { $0.properties["scheduler"] == "commits" }
        #expect(result.keep == [2, 3, 4])
        #expect(result.collapsed == [1: 4])
        #expect(result.raisedPriority.isEmpty)
    }

    @Test func completeRequestsAppearNowhere() {
        let result = RequestCollapser.collapse([req(1, at: 0, isComplete: true), req(2, at: 1)])
        #expect(result.keep == [2])
        #expect(result.collapsed.isEmpty)
    }
}
