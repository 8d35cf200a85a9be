import Foundation
import MinibotCore
@testable import MinibotMaster
import MinibotTesting
import Testing

/// The master's build path in-process: distributor, runner, registry and a real SQLite file,
/// with fake workers and the manual clock; nothing sleeps.
@Suite(.timeLimit(.minutes(1))) struct BuildLifecycleTests {
    static let config = """
        workers:
          - {name: w1, password: p, max_builds: 1}
        schedulers:
          - force: {name: force, builders: [b]}
        builders:
          - name: b
            workers: [w1]
            steps:
              - shell: {name: one, command: [true]}
              - shell: {name: two, command: [true]}
        """

    @Test func stepsRunInOrderAndTheBuildSucceeds() async throws {
        let scene = try await MasterScene(Self.config)
        defer { scene.stop(); scene.directory.remove() }
        let w1 = await scene.connect("w1")
        #expect(w1.welcomes == 1, "brought up before anything could be sent to it")
        await scene.submit(try await scene.force("b", priorities: [0]))
        let first = await w1.waitForSteps(1)
        #expect(first.map(\.name) == ["one"])
        let build = try #require(try await scene.store.build(id: first[0].buildID))
        #expect(scene.runner.live([build]).first?.stateString == "running step 1/2: one")
        w1.finish(first[0], .success)
        let both = await w1.waitForSteps(2)
        w1.finish(both[1], .success)
        let finished = try await scene.events.waitFor(.buildFinished)
        #expect(finished["results"] == .number(Double(BuildResult.success.rawValue)))
    }

    @Test func aLostWorkerEndsTheBuildRetryAndTheRequestRunsAgain() async throws {
        let scene = try await MasterScene(Self.config)
        defer { scene.stop(); scene.directory.remove() }
        let w1 = await scene.connect("w1")
        let requests = try await scene.force("b", priorities: [0])
        await scene.submit(requests)
        _ = await w1.waitForSteps(1)
        await scene.lose(w1)
        let ended = try await scene.events.waitFor(.buildFinished)
        #expect(ended["results"] == .number(Double(BuildResult.retry.rawValue)))
        #expect(try await scene.store.request(id: requests[0].id)?.isPending == true)

        let again = await scene.connect("w1")
        let steps = await again.waitForSteps(1)
        #expect(steps.map(\.name) == ["one"], "the request built again on the reconnected worker")
    }

    /// After a restart, pending requests keep their place: priority first, then age. With
    /// room for all of them in one pass, they are claimed and numbered in that order.
    @Test func aRestartKeepsTheServingOrder() async throws {
        let roomy = Self.config.replacingOccurrences(of: "max_builds: 1", with: "max_builds: 5")
        let before = try await MasterScene(roomy)
        let requests = try await before.force("b", priorities: [0, 5, 0, 5, 0])
        before.stop()

        let scene = try await MasterScene(roomy, directory: before.directory, clock: before.clock)
        defer { scene.stop(); scene.directory.remove() }
        let w1 = await scene.connect("w1")
        var numbers: [Int64: Int] = [:]
        for step in await w1.waitForSteps(requests.count) {
            let build = try #require(try await scene.store.build(id: step.buildID))
            numbers[build.buildRequestID] = build.number
        }
        let ids = requests.map(\.id)
        #expect([ids[1], ids[3], ids[0], ids[2], ids[4]].map { numbers[$0] } == [1, 2, 3, 4, 5])
    }
}

/// The distributor's backstop: a verdict's `until` is the only thing that can start the
/// build, and it does so when the clock reaches it, not before and with no event.
@Suite(.timeLimit(.minutes(1))) struct DistributorBackstopTests {
    @Test func aBuildWaitingForAnUntilStartsWhenTheClockReachesIt() async throws {
        let scene = try await MasterScene(BuildLifecycleTests.config)
        defer { scene.stop(); scene.directory.remove() }
        try scene.install(ClosedUntilPlugin.self)
        let w1 = await scene.connect("w1")
        let request = try await scene.force("b", priorities: [0])[0]
        await scene.submit([request])
        let waiting = try await scene.events.waitFor(.requestWaiting)
        #expect(waiting["reason"] == .string("worker w1 unavailable: closed"))
        #expect(w1.started.isEmpty)
        scene.clock.advance(by: ClosedUntilPlugin.closedFor)
        let steps = await w1.waitForSteps(1)
        #expect(try await scene.store.build(id: steps[0].buildID)?.buildRequestID == request.id)
    }
}
