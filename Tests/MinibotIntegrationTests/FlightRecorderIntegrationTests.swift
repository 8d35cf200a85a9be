import Foundation
import MinibotCore
import MinibotHostFacts
import MinibotTesting
import Testing

/// The flight recorder end to end: a real worker records its `--load-file` every second into
/// its base directory, the master fetches the file over the link, and the samples survive a
/// worker restart; `minibot-agent samples` prints an agent's file.
private extension Optional where Wrapped == JSONValue {
    /// The elements of an array value; nil for anything else.
    var array: [JSONValue]? {
        if case .array(let elements)? = self { return elements }
        return nil
    }
}

@Suite("Flight recorder with real processes", .serialized)
struct FlightRecorderIntegrationTests {
    static func loadText(load: Double, memoryPressure: Double, freeKB: Int) -> String {
        """
        \(String(format: "%.2f", load)) 0.40 0.30 1/100 1234
        some avg10=1.25 avg60=0.00 avg300=0.00 total=0
        memory some avg10=\(String(format: "%.2f", memoryPressure)) avg60=0.00 avg300=0.00 total=0
        MemAvailable: \(freeKB) kB

        """
    }

    /// `GET …/samples?since=0` until a sample with this 1-minute load arrives (the worker
    /// writes one a second, so this is a wait on that write, polled through the API).
    static func waitForSample(_ master: MasterFixture, worker: String, load1: Double) async throws -> JSONValue {
        for _ in 0..<600 {
            let answer = try await master.client.get("api/v2/workers/\(worker)/samples?since=0")
            if case .array(let samples)? = answer["samples"],
               let found = samples.last(where: { $0["load1"]?.doubleValue == load1 }) {
                return found
            }
            try await Task.sleep(for: .milliseconds(100))  // the poll's pace, not a wait for the event
        }
        throw FixtureError("no sample with load1 \(load1) from \(worker)")
    }

    static func status(_ master: MasterFixture, _ path: String) async throws -> (Int, String) {
        let answer = try await master.client.sendRaw("GET", path, body: nil)
        return (answer.status, answer.json["error"]?.stringValue ?? answer.text)
    }

    @Test func workerRecordsServesAndKeepsItsSamplesAcrossARestart() async throws {
        let loadDir = try TemporaryDirectory("flight-recorder-load")
        defer { loadDir.remove() }
        let loadFile = loadDir.appending("load").path
        func report(_ load: Double, _ pressure: Double, _ freeKB: Int) throws {
            try Self.loadText(load: load, memoryPressure: pressure, freeKB: freeKB).write(toFile: loadFile, atomically: true, encoding: .utf8)
        }
        try report(1.23, 4.5, 2_097_152)
        let arguments = ["--load-file", loadFile, "--samples-interval", "1s"]
        let cluster = try await AvailabilityIntegrationTests.start(
            config: AvailabilityIntegrationTests.config(workers: ["wa"]), workers: ["wa"], workerArguments: ["wa": arguments])
        var restarted: ChildProcess?
        do {
            let master = cluster.master
            let first = try await Self.waitForSample(master, worker: "wa", load1: 1.23)
            #expect(first["load5"]?.doubleValue == 0.4 && first["load15"]?.doubleValue == 0.3)
            #expect(first["cpu_pressure"]?.doubleValue == 1.25 && first["memory_pressure"]?.doubleValue == 4.5)
            #expect(first["io_pressure"] == .null)
            #expect(first["free_memory"]?.doubleValue == 2_147_483_648)
            let answer = try await master.client.get("api/v2/workers/wa/samples")
            #expect(answer["worker"]?.stringValue == "wa" && answer["interval"]?.doubleValue == 1)
            #expect(answer["source"]?.stringValue == "worker")
            #expect(FileManager.default.fileExists(atPath: cluster.basedir("wa") + "/samples.mbfr"))

            try report(4.56, 0, 1_048_576)
            let second = try await Self.waitForSample(master, worker: "wa", load1: 4.56)
            #expect(second["free_memory"]?.doubleValue == 1_073_741_824 && second["memory_pressure"]?.doubleValue == 0)
            let firstTime = try #require(first["time"]?.doubleValue)

            // The worker page links its recorded week; the picture draws the load.
            let page = try await master.client.getText("workers/wa")
            #expect(page.contains("<img src=\"/workers/wa/week.svg\"") && page.contains("/api/v2/workers/wa/samples?since="))
            let picture = try await master.client.getText("workers/wa/week.svg")
            #expect(picture.hasPrefix("<svg") && picture.contains("<polyline class=\"load\""), "\(picture.prefix(400))")

            // A range that ends before the change holds only the first figures.
            let early = try await master.client.get("api/v2/workers/wa/samples?since=0&until=\(Int(firstTime))")
            #expect(early["samples"].array?.allSatisfy { $0["load1"]?.doubleValue == 1.23 } == true)

            // Errors: unknown worker, a bad since, a disconnected worker.
            #expect(try await Self.status(master, "api/v2/workers/nobody/samples").0 == 404)
            #expect(try await Self.status(master, "api/v2/workers/wa/samples?since=yesterday").0 == 400)
            let events = try await master.events()
            await cluster.workers["wa"]?.stop()
            _ = try await events.wait("wa to detach") {
                $0["type"]?.stringValue == "worker_detached" && $0["worker"]?.stringValue == "wa"
            }
            let (code, reason) = try await Self.status(master, "api/v2/workers/wa/samples")
            #expect(code == 409 && reason.contains("not connected"), "\(reason)")
            #expect(try await master.client.getText("workers/wa/week.svg").contains("recorded week: worker wa is not connected"))

            // The restarted worker reads the same file: the first figures are still there.
            restarted = try WorkerFixture.start(name: "wa", password: "pw", master: master.url, directory: cluster.dir.url,
                                                extraArguments: arguments)
            try await events.workerAttached("wa")
            let kept = try await master.client.get("api/v2/workers/wa/samples?since=0")
            #expect(kept["samples"].array?.contains { $0["time"]?.doubleValue == firstTime && $0["load1"]?.doubleValue == 1.23 } == true)
            #expect(!FileManager.default.fileExists(atPath: cluster.basedir("wa") + "/samples.mbfr.bad"))
        } catch {
            await cluster.close(also: [restarted])
            throw error
        }
        await cluster.close(also: [restarted])
    }

    /// A worker started with `--samples-file none` announces no recorder: 409, saying so.
    @Test func aWorkerWithoutARecorderIsAConflict() async throws {
        try await AvailabilityIntegrationTests.withCluster(
            config: AvailabilityIntegrationTests.config(workers: ["wa"]), workers: ["wa"],
            workerArguments: ["wa": ["--samples-file", "none"]]) { cluster in
            let (code, reason) = try await Self.status(cluster.master, "api/v2/workers/wa/samples")
            #expect(code == 409 && reason.contains("keeps no flight recorder"), "\(reason)")
            #expect(!FileManager.default.fileExists(atPath: cluster.basedir("wa") + "/samples.mbfr"))
        }
    }

    /// `minibot-agent samples` reads the file beside the socket without an agent running.
    @Test func agentSamplesCommandPrintsTheFile() async throws {
        let dir = try TemporaryDirectory("flight-recorder-agent")
        defer { dir.remove() }
        let socket = dir.appending("agent.sock").path
        let now = Date().timeIntervalSince1970.rounded(.down)
        do {
            let recorder = try FlightRecorder.open(path: socket + ".samples.mbfr")
            for (load, ago) in [(2.5, 3.0 * 3600), (3.5, 60)] {
                try recorder.record(LoadSample(load1: load, load5: 1, load15: 1, time: Date(timeIntervalSince1970: now - ago)))
            }
        }
        let all = try await AvailabilityIntegrationTests.run("minibot-agent", ["samples", "--socket", socket], in: dir)
        #expect(all.status == 0, "stderr: \(all.err)")
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(all.out.utf8))
        #expect(document["source"]?.stringValue == "agent" && document["interval"]?.doubleValue == 10)
        #expect(document["samples"].array?.compactMap { $0["load1"]?.doubleValue } == [2.5, 3.5])
        #expect(document["samples"].array?.last?["time"]?.doubleValue == now - 60)
        let recent = try await AvailabilityIntegrationTests.run("minibot-agent", ["samples", "--socket", socket, "--since", "1h"], in: dir)
        let recentDocument = try JSONDecoder().decode(JSONValue.self, from: Data(recent.out.utf8))
        #expect(recentDocument["samples"].array?.compactMap { $0["load1"]?.doubleValue } == [3.5])
        let missing = try await AvailabilityIntegrationTests.run("minibot-agent", ["samples", "--file", dir.appending("nope").path], in: dir)
        #expect(missing.status == 2 && missing.err.contains("cannot read"), "stderr: \(missing.err)")
    }
}
