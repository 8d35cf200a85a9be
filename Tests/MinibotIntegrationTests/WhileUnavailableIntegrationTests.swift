import Foundation
import MinibotCore
import MinibotTesting
import Testing

/// `while_unavailable` end to end: a real master with the availability plugin, real workers
/// whose `--load-file` the test writes, and a shell step that prints its pid and then waits
/// for a gate file (so the build runs until the test lets it end).
@Suite("What running builds do while their worker is unavailable", .serialized)
struct WhileUnavailableIntegrationTests {
    static func load(_ value: Double) -> String { String(format: "%.1f 1.0 1.0 1/100 1234\n", value) }

    /// A cluster whose workers each read their own load file (written with `report`).
    static func withWorkers(_ names: [String], loads: [String: Double], plugin: String,
                            _ body: (MasterFixture, _ gate: String, _ report: (String, Double) throws -> Void) async throws -> Void)
        async throws {
        let dir = try TemporaryDirectory("while-unavailable")
        defer { dir.remove() }
        let gate = dir.appending("gate").path
        func file(_ worker: String) -> String { dir.appending("load-\(worker)").path }
        let report = { (worker: String, value: Double) throws in
            try Self.load(value).write(toFile: file(worker), atomically: true, encoding: .utf8)
        }
        for name in names { try report(name, loads[name] ?? 0.5) }
        let arguments = Dictionary(uniqueKeysWithValues: names.map {
            ($0, ["--load-file", file($0), "--status-interval", "200ms"])
        })
        let config = AvailabilityIntegrationTests.config(workers: names, gate: gate, before: "echo pid $$", plugin: plugin)
        try await AvailabilityIntegrationTests.withCluster(config: config,
                                                           workers: names, workerArguments: arguments) { cluster in
            try await body(cluster.master, gate, report)
        }
    }

    /// The pid the build's step printed (its shell, in the step's process group).
    /// The pid the step printed first: its log is read again at each `step_log` event of the
    /// build until the line is there (the first batch may hold only the step's header).
    static func stepPID(_ master: MasterFixture, _ events: EventFollower, build: Int64) async throws -> Int32 {
        var after = -1.0
        var log = ""
        for _ in 0..<50 {
            let seen = after
            let announced = try await events.wait(timeout: 120, "the step's output") {
                $0["type"]?.stringValue == "step_log" && $0["buildid"]?.doubleValue == Double(build)
                    && ($0["seq"]?.doubleValue ?? 0) > seen
            }
            after = announced["seq"]?.doubleValue ?? after
            log = try await master.log(build: build, step: 0)
            if let line = log.split(separator: "\n").first(where: { $0.hasPrefix("pid ") }),
               let pid = Int32(line.dropFirst(4)) {
                return pid
            }
        }
        throw FixtureError("no pid in the step's log: \(log)")
    }

    /// Field `index` (3 = state, 19 = nice, as proc(5) numbers them) of /proc/PID/stat.
    static func statField(_ pid: Int32, _ index: Int) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > index - 3 ? String(fields[index - 3]) : nil
    }

    /// Waits until `condition` about a process holds, and says whether it did. The signal or
    /// priority change is made by the worker after the master's `build_held` event, and the
    /// kernel tells no one but the process's parent: re-reading /proc is the only way to see
    /// it, bounded by `timeout`.
    static func eventually(timeout: Double = 60, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    static func held(_ events: EventFollower, request: Int64, _ hold: String) async throws -> JSONValue {
        try await events.wait(timeout: 120, "build of request \(request) to be \(hold)") {
            $0["type"]?.stringValue == "build_held" && $0["buildrequestid"]?.doubleValue == Double(request)
                && $0["hold"]?.stringValue == hold
        }
    }

    static func buildID(_ event: JSONValue) throws -> Int64 {
        guard let id = event["buildid"]?.doubleValue else { throw FixtureError("no buildid in \(event)") }
        return Int64(id)
    }

    /// (a) High load stops the step (state T) and the API says why; low load continues it and
    /// the build succeeds.
    @Test func suspendStopsTheStepAndResumeContinuesIt() async throws {
        let plugin = "  availability:\n    workers:\n      wa: {max_load: 3, resume_load: 2, while_unavailable: suspend}"
        try await Self.withWorkers(["wa"], loads: ["wa": 0.5], plugin: plugin) { master, gate, report in
            let events = try await master.events()
            let request = try await master.force("b")
            let build = try Self.buildID(try await events.buildStarted(request: request))
            let pid = try await Self.stepPID(master, events, build: build)

            try report("wa", 5)
            let suspended = try await Self.held(events, request: request, "suspend")
            let state = suspended["state_string"]?.stringValue ?? ""
            #expect(state.hasPrefix("suspended: load 5.0 > 3.0 (since "), "\(state)")
            #expect(await Self.eventually { Self.statField(pid, 3) == "T" })
            let api = try await master.build(build)["state_string"]?.stringValue ?? ""
            #expect(api.hasPrefix("suspended: load 5.0 > 3.0 (since ") && api.hasSuffix("; step 1/1: step"), "\(api)")

            try report("wa", 1)
            _ = try await Self.held(events, request: request, "resume")
            #expect(await Self.eventually { Self.statField(pid, 3) != "T" })
            _ = FileManager.default.createFile(atPath: gate, contents: nil)
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results"]?.doubleValue == Double(BuildResult.success.rawValue))
        }
    }

    /// (b) Suspended past `max_suspend`: the build ends RETRY and runs again on the other worker.
    @Test func maxSuspendRetriesTheBuildElsewhere() async throws {
        let plugin = "  availability:\n    default: {max_load: 3, resume_load: 2}\n    workers:\n"
            + "      wa: {max_load: 3, resume_load: 2, while_unavailable: suspend, max_suspend: 2s}"
        // wb is busy at first, so the build starts on wa.
        try await Self.withWorkers(["wa", "wb"], loads: ["wa": 0.5, "wb": 5], plugin: plugin) { master, gate, report in
            let events = try await master.events()
            let request = try await master.force("b")
            let first = try await events.buildStarted(request: request)
            #expect(AvailabilityIntegrationTests.worker(of: first) == "wa")
            let pid = try await Self.stepPID(master, events, build: try Self.buildID(first))
            try report("wb", 0.5)
            try report("wa", 5)
            _ = try await Self.held(events, request: request, "suspend")
            let retried = try await events.wait(timeout: 120, "the suspended build to end") {
                $0["type"]?.stringValue == "build_finished" && $0["buildrequestid"]?.doubleValue == Double(request)
            }
            #expect(retried["results"]?.doubleValue == Double(BuildResult.retry.rawValue))
            let state = try await master.build(try Self.buildID(retried))["state_string"]?.stringValue ?? ""
            #expect(state.contains("longer than max_suspend 2 s"), "\(state)")
            // The stopped group died with the build.
            #expect(await Self.eventually { Self.statField(pid, 3) == nil })

            let second = try await events.wait(timeout: 120, "the build to start again") {
                $0["type"]?.stringValue == "build_started" && $0["buildrequestid"]?.doubleValue == Double(request)
                    && $0["buildid"]?.doubleValue != first["buildid"]?.doubleValue
            }
            #expect(AvailabilityIntegrationTests.worker(of: second) == "wb")
            _ = FileManager.default.createFile(atPath: gate, contents: nil)
            let done = try await events.wait(timeout: 120, "the second build to finish") {
                $0["type"]?.stringValue == "build_finished" && $0["buildid"]?.doubleValue == second["buildid"]?.doubleValue
            }
            #expect(done["results"]?.doubleValue == Double(BuildResult.success.rawValue))
        }
    }

    /// (c) `renice`: the step's process runs at nice 19 from then on; the build still succeeds.
    @Test func reniceLowersTheStepsPriority() async throws {
        let plugin = "  availability:\n    workers:\n      wa: {max_load: 3, resume_load: 2, while_unavailable: renice}"
        try await Self.withWorkers(["wa"], loads: ["wa": 0.5], plugin: plugin) { master, gate, report in
            let events = try await master.events()
            let request = try await master.force("b")
            let build = try Self.buildID(try await events.buildStarted(request: request))
            let pid = try await Self.stepPID(master, events, build: build)
            #expect(Self.statField(pid, 19) == "0")

            try report("wa", 5)
            let reniced = try await Self.held(events, request: request, "renice")
            #expect(reniced["state_string"]?.stringValue?.hasPrefix("reniced: load 5.0 > 3.0 (since ") == true)
            #expect(await Self.eventually { Self.statField(pid, 19) == "19" })
            #expect(Self.statField(pid, 3) != "T")
            _ = FileManager.default.createFile(atPath: gate, contents: nil)
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results"]?.doubleValue == Double(BuildResult.success.rawValue))
        }
    }
}
