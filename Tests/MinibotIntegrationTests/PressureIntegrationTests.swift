import Foundation
import MinibotCore
import MinibotTesting
import Testing

/// Memory pressure and free memory thresholds end to end: a real master with the
/// availability plugin and a real worker whose `--load-file` carries the new lines.
@Suite("Pressure thresholds with real processes", .serialized)
struct PressureIntegrationTests {
    static func loadText(memoryPressure: Double, freeKB: Int) -> String {
        """
        0.10 0.10 0.10 1/100 1234
        memory some avg10=\(String(format: "%.2f", memoryPressure)) avg60=0.00 avg300=0.00 total=0
        MemAvailable: \(freeKB) kB

        """
    }

    /// A master with the availability `plugin` block and worker `wa`, whose load file starts at
    /// `memoryPressure` % and `freeKB`; `body` gets the master and a way to change the file.
    static func withWorker(plugin: String, memoryPressure: Double, freeKB: Int,
                           _ body: (MasterFixture, _ report: (Double, Int) throws -> Void) async throws -> Void) async throws {
        let loadDir = try TemporaryDirectory("availability-pressure")
        defer { loadDir.remove() }
        let loadFile = loadDir.appending("load").path
        let report = { (pressure: Double, free: Int) throws in
            try Self.loadText(memoryPressure: pressure, freeKB: free).write(toFile: loadFile, atomically: true, encoding: .utf8)
        }
        try report(memoryPressure, freeKB)
        try await AvailabilityIntegrationTests.withCluster(
            config: AvailabilityIntegrationTests.config(workers: ["wa"], plugin: plugin), workers: ["wa"],
            workerArguments: ["wa": ["--load-file", loadFile, "--status-interval", "200ms"]]) { cluster in
            try await body(cluster.master, report)
        }
    }

    /// Held back while memory pressure is above `max_memory_pressure`, with the reason in the
    /// API's `waiting_reasons`; building once it drops below the resume level.
    @Test func memoryPressureHoldsTheBuildUntilItDrops() async throws {
        let plugin = "  availability:\n    workers:\n      wa: {max_memory_pressure: 20, min_free_memory: 1G}"
        try await Self.withWorker(plugin: plugin, memoryPressure: 23.4, freeKB: 8 << 20) { master, report in
            let events = try await master.events()
            let request = try await master.force("b")
            _ = try await events.requestWaiting(request, containing: "memory pressure 23.4% > 20.0%")
            #expect(try await master.waitingReasons(request).contains {
                $0.hasPrefix("wa:") && $0.contains("unavailable: memory pressure 23.4% > 20.0%")
            })
            // Pressure gone, but free memory now short: still held back, for the other reason.
            try report(2, 512 << 10)
            _ = try await events.requestWaiting(request, containing: "free memory 512M < 1G")
            try report(2, 8 << 20)
            #expect(AvailabilityIntegrationTests.worker(of: try await events.buildStarted(request: request)) == "wa")
            _ = try await events.buildFinished(request: request)
        }
    }

    /// A hard limit acts at the first report, although the soft one would wait an hour; it
    /// frees below the soft one's resume level. (The hysteresis in between is pinned by the
    /// pure tests: a reason that changes while the request keeps waiting reaches
    /// `request_waiting` only at the distributor's next re-check, about 15 s here.)
    @Test func hardLimitActsAtTheFirstReport() async throws {
        let plugin = "  availability:\n    workers:\n      wa:\n"
            + "        max_memory_pressure: {value: 20, resume: 10, for: 1h}\n        hard_max_memory_pressure: 50"
        try await Self.withWorker(plugin: plugin, memoryPressure: 60, freeKB: 8 << 20) { master, report in
            let events = try await master.events()
            let request = try await master.force("b")
            _ = try await events.requestWaiting(request, containing: "memory pressure 60.0% > 50.0% (hard limit)")
            try report(5, 8 << 20)
            #expect(AvailabilityIntegrationTests.worker(of: try await events.buildStarted(request: request)) == "wa")
            _ = try await events.buildFinished(request: request)
        }
    }

    /// `minibot checkconfig` reports each bad threshold once, with its place, although every
    /// worker inherits the `default:` block it is written in.
    @Test func checkconfigReportsABadThresholdOnce() async throws {
        let dir = try TemporaryDirectory("availability-checkconfig")
        defer { dir.remove() }
        let plugin = "  availability:\n    default:\n      min_free_memory: lots\n"
            + "      max_memory_pressure: {value: 20, for: 30s}\n      hard_max_memory_pressure: 10"
        let path = dir.appending("master.cfg").path
        try AvailabilityIntegrationTests.config(workers: ["w1", "w2", "w3"], plugin: plugin)
            .write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await AvailabilityIntegrationTests.run("minibot", ["checkconfig", path], in: dir)
        #expect(run.status == 1)
        let lines = (run.out + "\n" + run.err).split(separator: "\n").map(String.init)
        let size = lines.filter { $0.contains("expected a size such as 2G or 512M for 'min_free_memory', found 'lots'") }
        let hard = lines.filter { $0.contains("'hard_max_memory_pressure' (10.0%) must be above 'max_memory_pressure' (20.0%)") }
        #expect(size.count == 1 && size.first?.hasPrefix(path + ":") == true, "\(lines)")
        #expect(hard.count == 1 && hard.first?.hasPrefix(path + ":") == true, "\(lines)")
    }
}
