import Foundation
import MinibotAvailability
import MinibotCore
import Testing

/// The plugin with a test context: HTTP, events, persistence and timer-driven wake-ups.
@Suite struct AvailabilityPluginTests {
    let master = MasterConfig(workers: [WorkerSpec(name: "w1", password: "x"), WorkerSpec(name: "w2", password: "y")])

    /// `default: {max_load: 3}` (or no default), optionally with a window for w2.
    func section(maxLoad: Bool = true, window: String? = nil) -> ConfigNode {
        var entries: [(String, Int, Int, ConfigNode)] = []
        if maxLoad {
            entries.append(("default", 2, 5, Node.map([("max_load", 2, 15, Node.scalar("3", 2, 25))])))
        }
        if let window {
            entries.append(("workers", 3, 5, Node.map([
                ("w2", 4, 7, Node.map([
                    ("windows", 5, 9, Node.list(5, 18, [Node.map([
                        ("when", 5, 20, Node.scalar(window, 5, 26)),
                        ("timezone", 5, 48, Node.scalar("Europe/Paris", 5, 58)),
                    ])])),
                ])),
            ])))
        }
        return entries.isEmpty ? ConfigNode(.null, at: Node.loc(1, 1)) : Node.map(entries)
    }

    final class Harness: Sendable {
        let context: TestPluginContext
        var sleeper: TestSleeper { context.sleeper }
        let plugin: AvailabilityPlugin
        let task: Task<Void, any Error>

        init(context: TestPluginContext, configuration: ConfigNode, master: MasterConfig) throws {
            self.context = context
            plugin = try AvailabilityPlugin(configuration: configuration, master: master, context: context,
                                            displayTimeZone: paris)
            let plugin = self.plugin
            task = Task { try await plugin.run() }
        }

        /// Waits until `run()` has restored saved flags (it wakes the distributor then).
        func started() async throws {
            try #require(await context.wakes.wait { $0.contains("flags restored") } != nil)
        }

        func stop() async {
            task.cancel()
            _ = try? await task.value
        }

        func post(_ worker: String, _ body: String, admin: Bool = true) async -> PluginHTTPResponse {
            await plugin.handle(PluginHTTPRequest(method: "POST", path: "workers/\(worker)", body: Data(body.utf8), isAdmin: admin))
        }

        func verdict(_ worker: String) -> WorkerVerdict? {
            plugin.verdicts(for: PendingRequest(id: 1, builder: "b", priority: 0, submittedAt: context.now()),
                            candidates: [WorkerCandidate(name: worker, runningBuilds: 0, maxBuilds: 1)],
                            now: context.now()).first
        }

        /// Connects a worker and reports a load.
        func connect(_ worker: String, load: Double) async throws {
            let mark = context.wakes.count
            context.send(.workerAttached(WorkerSnapshot(name: worker, isConnected: true, info: nil, runningBuilds: 0, maxBuilds: 1, isPaused: false)))
            try #require(await context.wakes.wait(after: mark) { $0.contains("\(worker) connected") } != nil)
            let mark2 = context.wakes.count
            context.send(.workerStatus(worker: worker, WorkerStatus(load1: load, time: context.now())))
            if load <= 3 {
                try #require(await context.wakes.wait(after: mark2) { $0.contains("\(worker) now available") } != nil)
            } else {
                try await sync(worker)
            }
        }

        /// Returns once every event sent so far has been handled: events are handled in
        /// order, and a `get_availability` message is answered when it is handled.
        func sync(_ worker: String) async throws {
            let mark = context.sent.count
            context.send(.workerMessage(worker: worker, .object(["type": .string("get_availability")])))
            try #require(await context.sent.wait(after: mark) { $0.worker == worker } != nil)
        }
    }

    @Test func flagSetThroughTheAPIWakesAndExplains() async throws {
        let context = TestPluginContext(now: at("2025-03-24 10:00"), workers: ["w1", "w2"])
        let h = try Harness(context: context, configuration: section(), master: master)
        try await h.started()
        try await h.connect("w1", load: 1)
        #expect(h.verdict("w1")?.kind == .eligible)

        let mark = context.wakes.count
        let response = await h.post("w1", #"{"state":"unavailable","reason":"disk swap","for":"2h","by":"bob"}"#)
        #expect(response.status == 200)
        #expect(response.body["state"] == .string("unavailable"))
        #expect(response.body["set_by"] == .string("bob"))
        #expect(response.body["until_text"] == .string("until 12:00 CET"))
        #expect(response.body["until"] == .number(at("2025-03-24 12:00").timeIntervalSince1970))
        #expect(context.wakes.items.count > mark)
        let verdict = try #require(h.verdict("w1"))
        #expect(verdict.kind == .unavailable)
        #expect(verdict.reason == "unavailable: flagged by bob: disk swap")
        // What users see is when the flag expires; the distributor's re-check comes sooner
        // (w1's load report goes stale first), and is not shown.
        #expect(verdict.endsAt == at("2025-03-24 12:00"))
        #expect(verdict.endCondition == nil)
        #expect(try #require(verdict.until) < at("2025-03-24 12:00"))

        // Clearing it wakes at once too.
        let mark2 = context.wakes.count
        let cleared = await h.post("w1", #"{"state":"available","by":"bob"}"#)
        #expect(cleared.body["state"] == .string("available"))
        #expect(context.wakes.count > mark2)
        #expect(h.verdict("w1")?.kind == .eligible)

        let summary = try #require(await h.plugin.workerSummary("w1"))
        #expect(summary["load"] == .number(1))
        #expect(summary["connected"] == .bool(true))
        #expect(await h.plugin.workerSummary("nope") == nil)
        await h.stop()
    }

    @Test func nothingStartsBeforeSavedFlagsAreRestored() throws {
        let context = TestPluginContext(now: at("2025-03-24 10:00"), workers: ["w1", "w2"])
        let plugin = try AvailabilityPlugin(configuration: section(maxLoad: false), master: master, context: context)
        let verdicts = plugin.verdicts(for: PendingRequest(id: 1, builder: "b", priority: 0, submittedAt: context.now()),
                                       candidates: [WorkerCandidate(name: "w1", runningBuilds: 0, maxBuilds: 1),
                                                    WorkerCandidate(name: "other", runningBuilds: 0, maxBuilds: 1)],
                                       now: context.now())
        #expect(verdicts.count == 1)   // a worker the plugin does not know gets no verdict
        #expect(verdicts.first?.kind == .unavailable)
        #expect(verdicts.first?.reason?.contains("restoring saved availability flags") == true)
    }

    @Test func deleteRevertsToTheConfiguredFlag() async throws {
        let context = TestPluginContext(now: at("2025-03-24 10:00"), workers: ["w1", "w2"])
        let config = Node.map([("workers", 3, 5, Node.map([
            ("w1", 4, 7, Node.map([("flag", 4, 11, Node.scalar("unavailable", 4, 17))])),
        ]))])
        let h = try Harness(context: context, configuration: config, master: master)
        try await h.started()
        #expect(h.verdict("w1")?.reason == "unavailable: flagged in master.cfg")
        #expect(await h.post("w1", #"{"state":"available","by":"anna","for":"1h"}"#).status == 200)
        #expect(h.verdict("w1")?.kind == .eligible)
        #expect(context.store.withLock { $0["flag.w1"] } != nil)
        let deleted = await h.plugin.handle(PluginHTTPRequest(method: "DELETE", path: "workers/w1", isAdmin: true))
        #expect(deleted.status == 200)
        #expect(deleted.body["state"] == .string("unavailable"))
        #expect(context.store.withLock { $0["flag.w1"] } == nil)
        await h.stop()
    }

    @Test func loadDropBelowResumeWakes() async throws {
        let context = TestPluginContext(now: at("2025-03-24 10:00"), workers: ["w1", "w2"])
        let h = try Harness(context: context, configuration: section(), master: master)
        try await h.started()
        try await h.connect("w1", load: 4.2)
        #expect(h.verdict("w1")?.reason == "unavailable: load 4.2 > 3.0")
        #expect(h.verdict("w1")?.endCondition == "when load < 2.4")
        #expect(h.verdict("w1")?.endsAt == nil)

        let mark = context.wakes.count
        for load in [2.9, 3.3, 2.5] {       // flapping, never below resume: no wake
            context.advance(5)
            context.send(.workerStatus(worker: "w1", WorkerStatus(load1: load, time: context.now())))
        }
        context.advance(5)
        context.send(.workerStatus(worker: "w1", WorkerStatus(load1: 2.0, time: context.now())))
        let wake = await context.wakes.wait(after: mark) { $0.contains("w1") }
        #expect(wake == "availability: w1 now available")
        #expect(context.wakes.items[mark...].filter { $0.contains("w1") }.count == 1)
        #expect(h.verdict("w1")?.kind == .eligible)
        await h.stop()
    }

    @Test func flagPersistsAcrossPluginInstancesAndExpiresByTimer() async throws {
        let context = TestPluginContext(now: at("2025-03-24 10:00"), workers: ["w1", "w2"])
        let first = try Harness(context: context, configuration: section(maxLoad: false), master: master)
        try await first.started()
        // w2 is not connected: the flag is kept all the same.
        let response = await first.post("w2", #"{"state":"advisory","reason":"owner busy","until":"10:30","by":"anna"}"#)
        #expect(response.status == 200)
        await first.stop()

        let context2 = TestPluginContext(now: at("2025-03-24 10:05"), workers: ["w1", "w2"],
                                         store: context.store.withLock { $0 })
        let second = try Harness(context: context2, configuration: section(maxLoad: false), master: master)
        try await second.started()
        let summary = try #require(await second.plugin.workerSummary("w2"))
        #expect(summary["state"] == .string("advisory"))
        #expect(summary["set_by"] == .string("anna"))
        #expect(summary["reason"] == .string("flagged by anna: owner busy"))

        #expect(second.verdict("w2")?.kind == .advisory)

        // The flag expires at 10:30: the timer (not an event) wakes the distributor.
        #expect(await second.sleeper.requests.wait() != nil)
        let mark2 = context2.wakes.count
        context2.setNow(at("2025-03-24 10:30:01"))
        second.sleeper.fireAll()
        #expect(await context2.wakes.wait(after: mark2) { $0.contains("w2 now available") } != nil)
        #expect(second.verdict("w2")?.kind == .eligible)
        await second.stop()
        #expect(context2.store.withLock { $0["flag.w2"] } == nil)   // expired flags are forgotten
    }

    @Test func windowEndWakesWithoutAnyOtherEvent() async throws {
        let context = TestPluginContext(now: at("2025-03-24 16:59"), workers: ["w1", "w2"])
        let h = try Harness(context: context, configuration: section(maxLoad: false, window: "Mon-Fri 09:00-17:00"), master: master)
        try await h.started()
        #expect(await h.sleeper.requests.wait() == 60)
        #expect(h.verdict("w2")?.reason == "unavailable: restricted hours Mon-Fri 09:00-17:00 Europe/Paris")
        #expect(h.verdict("w2")?.until == at("2025-03-24 17:00"))

        let mark = context.wakes.count
        context.setNow(at("2025-03-24 17:00:00"))
        h.sleeper.fireAll()
        #expect(await context.wakes.wait(after: mark) { $0.contains("w2 now available") } != nil)
        await h.stop()
    }

    @Test func workerOwnerSetsAFlagThroughItsWorker() async throws {
        let context = TestPluginContext(now: at("2025-03-24 10:00"), workers: ["w1", "w2"])
        let h = try Harness(context: context, configuration: section(), master: master)
        try await h.started()
        try await h.connect("w1", load: 1)
        let mark = context.sent.count
        context.send(.workerMessage(worker: "w1", .object([
            "type": .string("set_flag"), "state": .string("unavailable"), "reason": .string("gaming"),
            "for_seconds": .number(3600), "by": .string("anna"),
        ])))
        let reply = try #require(await context.sent.wait(after: mark))
        #expect(reply.worker == "w1")
        #expect(reply.payload["ok"] == .bool(true))
        #expect(reply.payload["availability"]?["state"] == .string("unavailable"))
        #expect(h.verdict("w1")?.reason == "unavailable: flagged by anna: gaming")

        let mark2 = context.sent.count
        context.send(.workerMessage(worker: "w1", .object(["type": .string("set_flag"), "state": .string("sleepy")])))
        let rejected = try #require(await context.sent.wait(after: mark2))
        #expect(rejected.payload["ok"] == .bool(false))
        #expect(rejected.payload["error"]?.stringValue?.contains("bad 'state'") == true)
        await h.stop()
    }

    @Test func malformedBodiesAndNonAdminsAreRejected() async throws {
        let context = TestPluginContext(now: at("2025-03-24 10:00"), workers: ["w1", "w2"])
        let h = try Harness(context: context, configuration: section(), master: master)
        try await h.started()
        let cases: [(String, String)] = [
            ("not json", "not valid JSON"),
            ("[1]", "must be a JSON object"),
            (#"{"reason":"x"}"#, "missing 'state'"),
            (#"{"state":"gone"}"#, "bad 'state' 'gone'"),
            (#"{"state":"unavailable","for":"soon"}"#, "bad 'for' 'soon'"),
            (#"{"state":"unavailable","for":"1h","until":"17:00"}"#, "either 'for' or 'until'"),
            (#"{"state":"unavailable","until":"2020-01-01T00:00:00Z"}"#, "is in the past"),
            (#"{"state":"unavailable","until":"tea time"}"#, "bad 'until'"),
            (#"{"state":"unavailable","reasn":"x"}"#, "did you mean 'reason'?"),
        ]
        for (body, message) in cases {
            let response = await h.post("w1", body)
            #expect(response.status == 400, "\(body)")
            #expect(response.body["error"]?.stringValue?.contains(message) == true, "\(body): \(response.body)")
        }
        let forbidden = await h.post("w1", #"{"state":"unavailable"}"#, admin: false)
        #expect(forbidden.status == 401)
        #expect(forbidden.body["error"]?.stringValue?.contains("admin token") == true)
        let unknown = await h.post("w3", #"{"state":"unavailable"}"#)
        #expect(unknown.status == 404)
        #expect(unknown.body["error"]?.stringValue?.contains("unknown worker 'w3'") == true)
        #expect(context.store.withLock { $0.isEmpty })

        let list = await h.plugin.handle(PluginHTTPRequest(method: "GET", path: "workers", isAdmin: false))
        #expect(list.status == 200)
        if case .array(let rows)? = list.body["workers"] {
            #expect(rows.map { $0["name"] } == [.string("w1"), .string("w2")])
        } else {
            Issue.record("no workers list: \(list.body)")
        }
        await h.stop()
    }
}
