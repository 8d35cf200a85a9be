import Foundation
import MinibotAvailability
import MinibotCore
import Testing

/// The plugin carrying out `while_unavailable` with a test context and a manual clock: it
/// suspends a running build when its worker turns unavailable, resumes it, retries it once
/// `max_suspend` has passed, and leaves a worker that cannot hold builds alone.
@Suite struct RunningBuildHoldTests {
    let master = MasterConfig(workers: [WorkerSpec(name: "w1", password: "x")])
    let t0 = at("2025-03-24 10:00")

    /// `default: {max_load: 3, while_unavailable: suspend, max_suspend: 10m}`
    var section: ConfigNode {
        Node.map([("default", 2, 5, Node.map([
            ("max_load", 2, 15, Node.scalar("3", 2, 25)),
            ("while_unavailable", 2, 28, Node.scalar("suspend", 2, 47)),
            ("max_suspend", 2, 56, Node.scalar("10m", 2, 69)),
        ]))])
    }

    func build(_ request: Int64) -> BuildEventInfo {
        BuildEventInfo(buildID: request + 100, number: 1, requestID: request, builder: "b", worker: "w1", time: t0)
    }

    func report(_ h: AvailabilityPluginTests.Harness, load: Double) async throws {
        h.context.send(.workerStatus(worker: "w1", WorkerStatus(load1: load, time: h.context.now())))
        try await h.sync("w1")
    }

    @Test func suspendsResumesAndRetriesAfterMaxSuspend() async throws {
        let context = TestPluginContext(now: t0, workers: ["w1"])
        let h = try AvailabilityPluginTests.Harness(context: context, configuration: section, master: master)
        try await h.started()
        try await h.connect("w1", load: 1)
        context.send(.buildStarted(build(42)))
        try await report(h, load: 5)
        let suspended = try #require(await context.holds.wait { $0.requestID == 42 })
        #expect(suspended.hold == .suspend(reason: "load 5.0 > 3.0 (since 10:00 CET)"))

        // Usable again: resumed.
        context.advance(60)
        let mark = context.holds.count
        try await report(h, load: 1)
        #expect(await context.holds.wait(after: mark) { $0.requestID == 42 }?.hold == .resume)

        // Unavailable again, then past max_suspend: the plugin's own timer retries it.
        let mark2 = context.holds.count
        try await report(h, load: 5)
        #expect(await context.holds.wait(after: mark2) { $0.requestID == 42 }?.hold
                == .suspend(reason: "load 5.0 > 3.0 (since 10:01 CET)"))
        context.advance(600)
        h.sleeper.fireAll()
        let retry = try #require(await context.retries.wait { $0.requestID == 42 })
        #expect(retry.reason == "suspended 10 min, longer than max_suspend 10 min")
        await h.stop()
    }

    /// A stock buildbot-worker (the master answers false): asked once, never again, and
    /// never retried.
    @Test func aWorkerThatCannotHoldLetsItsBuildsFinish() async throws {
        let context = TestPluginContext(now: t0, workers: ["w1"])
        context.canHold.withLock { $0 = false }
        let h = try AvailabilityPluginTests.Harness(context: context, configuration: section, master: master)
        try await h.started()
        try await h.connect("w1", load: 1)
        context.send(.buildStarted(build(7)))
        try await report(h, load: 5)
        _ = try #require(await context.holds.wait { $0.requestID == 7 })
        context.advance(3600)
        h.sleeper.fireAll()
        try await report(h, load: 6)
        try await report(h, load: 1)
        #expect(context.holds.count == 1)
        #expect(context.retries.count == 0)
        await h.stop()
    }
}
