import Foundation
import MinibotCore
@testable import MinibotMaster
import MinibotTesting
import Testing

/// Changes through the schedulers to the distributor, in-process, on the manual clock.
@Suite(.timeLimit(.minutes(1))) struct SchedulingTests {
    static func config(treeStable: String?) -> String {
        let timer = treeStable.map { ", tree_stable_timer: \($0)" } ?? ""
        return """
            workers:
              - {name: w1, password: p, max_builds: 1}
            schedulers:
              - single_branch: {name: main, branch: main\(timer), builders: [b]}
            builders:
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: test, command: [true]}
            """
    }

    /// The timer restarts with every change; the build comes once the tree was quiet for its
    /// whole time, with every change of the burst.
    @Test func aTreeStableTimerWaitsForAQuietTreeAndTakesEveryChange() async throws {
        let scene = try await MasterScene(Self.config(treeStable: "30s"))
        defer { scene.stop(); scene.directory.remove() }
        let w1 = await scene.connect("w1")
        let first = try await scene.change("aaa")
        scene.clock.advance(by: 20)
        let second = try await scene.change("bbb")
        scene.clock.advance(by: 30)
        let steps = await w1.waitForSteps(1)
        #expect(steps.first?.revision == "bbb")
        let build = try #require(try await scene.store.build(id: steps[0].buildID))
        let request = try #require(try await scene.store.request(id: build.buildRequestID))
        let buildset = try #require(try await scene.store.buildset(id: request.buildsetID))
        #expect(buildset.changeIDs == [first.id, second.id])
    }

    /// While the worker is busy, a newer change's request absorbs the older pending one
    /// (SKIPPED), and the newest revision is what builds next.
    @Test func requestsFromChangesCollapseIntoTheNewest() async throws {
        let scene = try await MasterScene(Self.config(treeStable: nil))
        defer { scene.stop(); scene.directory.remove() }
        let w1 = await scene.connect("w1")
        try await scene.change("aaa")
        let running = await w1.waitForSteps(1)
        try await scene.change("bbb")
        let olderID = try #require(try await scene.store.pendingRequests().first?.id)
        try await scene.change("ccc")
        let pending = try await scene.store.pendingRequests()
        #expect(pending.count == 1)
        #expect(try await scene.store.request(id: olderID)?.results == .skipped)

        w1.finish(running[0], .success)
        let next = await w1.waitForSteps(2)
        #expect(next[1].revision == "ccc")
    }
}
