import Foundation
import MinibotHostFacts
import MinibotSimulation
import Testing

/// Traces and arrivals from outside: what is accepted, and the reason for what is not.
@Suite struct SimulationInputTests {
    @Test func aSamplesAnswerIsReadWithItsMissingFigures() throws {
        let json = #"{"worker":"w1","interval":10,"source":"worker","samples":[{"time":1796090000,"load1":2.5,"load5":2,"load15":1,"cpu_pressure":null,"memory_pressure":3.5,"io_pressure":null,"free_memory":8000000000},{"time":1796089990,"load1":1}]}"#
        let samples = try SimulationTrace.samples(json: Data(json.utf8))
        #expect(samples.map(\.time.timeIntervalSince1970) == [1_796_089_990, 1_796_090_000])
        #expect(samples[1].load1 == 2.5 && samples[1].cpuPressureSome10 == nil && samples[1].memoryPressureSome10 == 3.5)
        #expect(samples[1].memAvailableBytes == 8_000_000_000)
        #expect(samples[0].load5 == 1)
    }

    @Test(arguments: [
        ("not json", "the trace is not JSON"),
        (#"{"samples": 3}"#, "the trace has no \"samples\" list"),
        (#"{"samples": [{"load1": 1}]}"#, "sample 1: \"time\" must be seconds since 1970"),
        (#"{"samples": [{"time": 1e300, "load1": 1}]}"#, "sample 1: \"time\" must be seconds since 1970"),
        (#"{"samples": [{"time": 5}]}"#, "sample 1: \"load1\" is missing"),
        (#"{"samples": [{"time": 5, "load1": -1}]}"#, "sample 1: \"load1\" must be null or a number in 0.0...100000.0"),
        (#"{"samples": [{"time": 5, "load1": 1, "cpu_pressure": 101}]}"#, "sample 1: \"cpu_pressure\" must be null or a number in 0.0...100.0"),
        (#"{"samples": [{"time": 5, "load1": "high"}]}"#, "sample 1: \"load1\" has the wrong type"),
        (#"{"samples": [1]}"#, "sample 1 must be an object"),
    ])
    func aBadTraceSaysWhatIsWrong(_ json: String, _ message: String) {
        #expect(throws: SimulationInputError(message)) { try SimulationTrace.samples(json: Data(json.utf8)) }
    }

    @Test func aTraceWithTooManySamplesIsRefused() {
        let one = #"{"time":5,"load1":1}"#
        let json = #"{"samples":["# + Array(repeating: one, count: SimulationTrace.maxSamples + 1).joined(separator: ",") + "]}"
        #expect(throws: SimulationInputError("the trace has more than \(SimulationTrace.maxSamples) samples")) {
            try SimulationTrace.samples(json: Data(json.utf8))
        }
    }

    @Test func aFlightRecorderFileIsReadAsATrace() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("samples.mbfr").path
        let now = Date()
        let recorder = try FlightRecorder.open(path: path)
        for i in 0..<3 {
            _ = try recorder.record(LoadSample(load1: Double(i), load5: 0, load15: 0, time: now.addingTimeInterval(Double(i - 3) * 10)))
        }
        let samples = try SimulationTrace.load(path: path)
        #expect(samples.map(\.load1) == [0, 1, 2])
        let other = dir.appendingPathComponent("x.txt").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: other))
        #expect(throws: SimulationInputError.self) { try SimulationTrace.load(path: other) }
    }

    @Test func anArrivalsFileIsReadLineByLine() throws {
        let text = """
            # submitted             builder  duration  priority
            2026-11-30T10:00:00Z    test     5m
            2026-11-30T11:00:00+01:00 docs   90s       3   # the same instant: served after line 2
            1796083200 test 1h30m

            """
        let arrivals = try SimulationArrivals.parse(text, file: "arrivals.txt")
        #expect(arrivals.map(\.builder) == ["test", "docs", "test"])
        #expect(arrivals.map(\.duration) == [300, 90, 5400])
        #expect(arrivals[1].priority == 3)
        #expect(arrivals[1].time == Date(timeIntervalSince1970: 1_795_996_800 + 10 * 3600))
    }

    @Test(arguments: [
        ("yesterday test 5m", "arrivals.txt:1: 'yesterday' is not a time (ISO 8601 like 2026-12-01T09:30:00Z, or seconds since 1970)"),
        ("2026-11-30T10:00:00Z test", "arrivals.txt:1: expected TIME BUILDER DURATION [PRIORITY], got 2 fields"),
        ("# ok\n2026-11-30T10:00:00Z test forever", "arrivals.txt:2: 'forever' is not a duration (like 90s, 5m or 1h30m)"),
        ("2026-11-30T10:00:00Z test 5m 99999999999", "arrivals.txt:1: priority '99999999999' must be an integer in -2147483648...2147483647"),
        ("nan test 5m", "arrivals.txt:1: 'nan' is not a time (ISO 8601 like 2026-12-01T09:30:00Z, or seconds since 1970)"),
    ])
    func aBadArrivalsLineNamesItsLine(_ text: String, _ message: String) {
        #expect(throws: SimulationInputError(message)) { try SimulationArrivals.parse(text, file: "arrivals.txt") }
    }

    @Test func theHistoryKeepsTheRequestsThatWereBuilt() throws {
        let json = #"""
            {"buildrequests": [
              {"buildrequestid": 2, "builder": "test", "priority": 0, "submitted_at": 100, "claimed_at": 130, "complete_at": 190},
              {"buildrequestid": 1, "builder": "test", "priority": 1, "submitted_at": 50, "claimed_at": 50, "complete_at": 60},
              {"buildrequestid": 3, "builder": "test", "submitted_at": 200, "claimed_at": null, "complete_at": 210},
              {"buildrequestid": 4, "builder": "test", "submitted_at": 300, "claimed_at": 320, "complete_at": 310}
            ]}
            """#
        let arrivals = try SimulationArrivals.history(json: Data(json.utf8))
        #expect(arrivals.map(\.id) == [1, 2])
        #expect(arrivals[1].duration == 60 && arrivals[1].actualStart == Date(timeIntervalSince1970: 130))
        #expect(arrivals[0].priority == 1)
    }
}
