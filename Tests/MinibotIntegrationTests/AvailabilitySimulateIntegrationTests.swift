import Foundation
import MinibotCore
import MinibotTesting
import Testing

/// `minibot availability simulate` against a real master: a worker records its `--load-file`,
/// a real build runs, and the command replays that day's trace and history through the
/// master's own master.cfg and a stricter one.
@Suite("minibot availability simulate with real processes", .serialized)
struct AvailabilitySimulateIntegrationTests {
    static func config(maxLoad: String, resume: String) -> String {
        AvailabilityIntegrationTests.config(
            workers: ["wa"], plugin: "  availability: {default: {max_load: \(maxLoad), resume_load: \(resume)}}")
    }

    @Test func replaysTheRecordedDayThroughTwoPolicies() async throws {
        let loadDir = try TemporaryDirectory("simulate-load")
        defer { loadDir.remove() }
        let loadFile = loadDir.appending("load").path
        try "0.50 0.40 0.30 1/100 1234\n".write(toFile: loadFile, atomically: true, encoding: .utf8)
        let cluster = try await AvailabilityIntegrationTests.start(
            config: Self.config(maxLoad: "4", resume: "3"), workers: ["wa"],
            workerArguments: ["wa": ["--load-file", loadFile, "--samples-interval", "1s"]])
        do {
            let master = cluster.master
            // A recorded sample first, so the build is submitted with a known load.
            _ = try await FlightRecorderIntegrationTests.waitForSample(master, worker: "wa", load1: 0.5)
            let events = try await master.events()
            let request = try await master.force("b")
            _ = try await events.buildFinished(request: request)

            let strict = master.directory.appendingPathComponent("strict.cfg").path
            try Self.config(maxLoad: "0.2", resume: "0.1").write(toFile: strict, atomically: true, encoding: .utf8)
            let mine = master.directory.appendingPathComponent("master.cfg").path
            let html = cluster.dir.appending("simulation.html").path
            let result = try await DistributorCluster.minibot(
                ["availability", "simulate", "--master", master.url, "--config", mine, "--compare", strict,
                 "--days", "1", "--html", html], in: cluster.dir)
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            let row = try #require(lines.first { $0.hasPrefix("\(request) ") }, "\(result.stdout)")
            // As configured it starts at once; below 0.2 it never does, and says why.
            #expect(row.contains(" b ") && row.contains("not started"), "\(row)")
            #expect(row.contains("load 0.5 > 0.2"), "\(row)")
            #expect(lines.contains { $0.hasPrefix("\(mine): 1 started; total wait 0 s") }, "\(result.stdout)")
            #expect(lines.contains { $0.hasPrefix("\(strict): 0 started, 1 not started by the end") }, "\(result.stdout)")
            #expect(lines.contains { $0.hasPrefix("as it really was: total wait") })
            let picture = try String(contentsOfFile: html, encoding: .utf8)
            #expect(picture.contains("<svg") && picture.contains("url(#hatch)") && picture.contains("load 0.5 &gt; 0.2"))

            // Bad input: a clear reason and exit 2, nothing else.
            let arrivals = cluster.dir.appending("arrivals.txt").path
            try "2026-12-01T09:00:00Z b soon\n".write(toFile: arrivals, atomically: true, encoding: .utf8)
            let bad = try await DistributorCluster.minibot(
                ["availability", "simulate", "--master", master.url, "--config", mine, "--arrivals", arrivals], in: cluster.dir)
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("\(arrivals):1: 'soon' is not a duration"), "\(bad.stderr)")
            let plain = cluster.dir.appending("plain.cfg").path
            try AvailabilityIntegrationTests.config(workers: ["wa"], plugin: "  prefer_idle: {}")
                .write(toFile: plain, atomically: true, encoding: .utf8)
            let noPlugin = try await DistributorCluster.minibot(
                ["availability", "simulate", "--master", master.url, "--config", plain], in: cluster.dir)
            #expect(noPlugin.status == 2 && noPlugin.stderr.contains("does not enable the availability plugin"), "\(noPlugin.stderr)")
        } catch {
            await cluster.close()
            throw error
        }
        await cluster.close()
    }
}
