import Foundation
import MinibotAgent
import MinibotAvailability
import MinibotCore
import MinibotHostFacts
import MinibotSimulation
import Testing

/// The replay with explicit times: a Monday in UTC, samples every 10 s.
@Suite struct AvailabilitySimulationTests {
    /// Monday 2026-11-30 00:00 UTC.
    static let monday = Date(timeIntervalSince1970: 1_795_996_800)
    static let utc = TimeZone(identifier: "UTC")!

    static func at(_ hours: Double) -> Date { monday.addingTimeInterval(hours * 3600) }

    /// Samples every 10 s over [from, to) hours, with the load `load(hours)`.
    static func trace(_ from: Double, _ to: Double, load: (Double) -> Double) -> [LoadSample] {
        stride(from: from * 3600, to: to * 3600, by: 10).map { s in
            let l = load(s / 3600)
            return LoadSample(load1: l, load5: l, load15: l, time: monday.addingTimeInterval(s))
        }
    }

    static func builder(_ name: String, _ workers: [String]) -> BuilderSpec {
        BuilderSpec(name: name, workers: workers, steps: [])
    }

    static func run(_ workers: [SimulatedWorker], builders: [BuilderSpec], arrivals: [SimulatedArrival],
                    agent: ArbiterStateMachine.Configuration? = nil, from: Double = 0, to: Double = 24,
                    spans: Bool = false) -> SimulationResult {
        AvailabilitySimulation(workers: workers, builders: builders, arrivals: arrivals, agent: agent,
                               from: at(from), to: at(to), displayTimeZone: utc, recordsSpans: spans).run()
    }

    @Test func aBuildInsideAnUnavailableWindowStartsWhenTheWindowEnds() throws {
        let window = WindowRule(window: try TimeWindow(when: "Mon-Fri 09:00-17:00", timeZone: "UTC"), mode: .unavailable)
        let worker = SimulatedWorker(name: "w1", settings: WorkerAvailabilitySettings(windows: [window]),
                                     trace: Self.trace(0, 24) { _ in 0.5 })
        let result = Self.run([worker], builders: [Self.builder("b", ["w1"])],
                              arrivals: [SimulatedArrival(id: 1, builder: "b", time: Self.at(10), duration: 600)])
        let build = try #require(result.builds.first)
        #expect(build.start == Self.at(17))
        #expect(build.worker == "w1")
        #expect(abs((build.wait ?? 0) - 7 * 3600) < 0.001)
        #expect(build.mainReason?.kind == .unavailable)
        #expect(build.mainReason?.reason.contains("Mon-Fri 09:00-17:00") == true)
        #expect(result.peakRunning == 1)
    }

    @Test func anAdvisoryWindowDoesNotHoldBackTheOnlyWorker() throws {
        let window = WindowRule(window: try TimeWindow(when: "Mon-Fri 09:00-17:00", timeZone: "UTC"), mode: .advisory)
        let worker = SimulatedWorker(name: "w1", settings: WorkerAvailabilitySettings(windows: [window]),
                                     trace: Self.trace(0, 24) { _ in 0.5 })
        let result = Self.run([worker], builders: [Self.builder("b", ["w1"])],
                              arrivals: [SimulatedArrival(id: 1, builder: "b", time: Self.at(10), duration: 600)])
        #expect(result.builds.first?.start == Self.at(10))
        #expect(result.builds.first?.wait == 0)
    }

    @Test func aHighLoadHoldsTheBuildUntilTheLoadFallsBelowTheResumeLevel() throws {
        // Load 3 from 10:00 to 10:30, then 1: max_load 2 resumes below 1.6 at the first low sample.
        let worker = SimulatedWorker(name: "w1", settings: WorkerAvailabilitySettings(maxLoad: 2),
                                     trace: Self.trace(9, 12) { h in (10..<10.5).contains(h) ? 3 : 1 })
        let result = Self.run([worker], builders: [Self.builder("b", ["w1"])],
                              arrivals: [SimulatedArrival(id: 1, builder: "b", time: Self.at(10.25), duration: 60)],
                              from: 9, to: 12)
        let build = try #require(result.builds.first)
        #expect(build.start == Self.at(10.5))
        #expect(build.mainReason?.kind == .unavailable)
        #expect(build.mainReason?.reason.contains("load 3.0 > 2.0") == true)
    }

    @Test func withoutRecordedLoadAWatchedWorkerNeverStarts() {
        let worker = SimulatedWorker(name: "w1", settings: WorkerAvailabilitySettings(maxLoad: 2), trace: [])
        let result = Self.run([worker], builders: [Self.builder("b", ["w1"])],
                              arrivals: [SimulatedArrival(id: 1, builder: "b", time: Self.at(1), duration: 60)], to: 2)
        #expect(result.builds.first?.start == nil)
        #expect(result.notStarted == 1)
        #expect(result.builds.first?.mainReason?.reason.contains("load unknown") == true)
    }

    @Test func aBusyWorkerTakesTheNextBuildWhenTheFirstEnds() throws {
        let trace = Self.trace(0, 4) { _ in 0.1 }
        let one = [SimulatedWorker(name: "w1", settings: WorkerAvailabilitySettings(), trace: trace)]
        let arrivals = [SimulatedArrival(id: 1, builder: "b", time: Self.at(1), duration: 300),
                        SimulatedArrival(id: 2, builder: "b", time: Self.at(1), duration: 300)]
        let serial = Self.run(one, builders: [Self.builder("b", ["w1"])], arrivals: arrivals, to: 4)
        #expect(serial.builds.map(\.start) == [Self.at(1), Self.at(1).addingTimeInterval(300)])
        #expect(serial.builds[1].mainReason?.kind == .busy)
        #expect(serial.peakRunning == 1)
        #expect(serial.p95Wait == 300)

        let two = one + [SimulatedWorker(name: "w2", settings: WorkerAvailabilitySettings(), trace: trace)]
        let parallel = Self.run(two, builders: [Self.builder("b", ["w1", "w2"])], arrivals: arrivals, to: 4)
        #expect(parallel.builds.allSatisfy { $0.start == Self.at(1) })
        #expect(Set(parallel.builds.compactMap(\.worker)) == ["w1", "w2"])
        #expect(parallel.peakRunning == 2)
        #expect(parallel.totalWait == 0)
    }

    @Test func buildersTakeTurnsAsTheDistributorServesThem() throws {
        // Six requests of A, then two of B, one worker: B's first runs second (fair turns).
        var arrivals = (1...6).map { SimulatedArrival(id: Int64($0), builder: "A", time: Self.at(1).addingTimeInterval(Double($0)), duration: 60) }
        arrivals += (7...8).map { SimulatedArrival(id: Int64($0), builder: "B", time: Self.at(1).addingTimeInterval(Double($0)), duration: 60) }
        let worker = SimulatedWorker(name: "w1", settings: WorkerAvailabilitySettings(), trace: Self.trace(0, 3) { _ in 0.1 })
        let result = Self.run([worker], builders: [Self.builder("A", ["w1"]), Self.builder("B", ["w1"])], arrivals: arrivals, to: 3)
        let order = result.builds.sorted { $0.start! < $1.start! }.map(\.arrival.builder)
        #expect(order == ["A", "B", "A", "B", "A", "A", "A", "A"])
    }

    @Test func theHostAgentHandsOutOneSlotAtATimeAcrossWorkers() throws {
        let settings = WorkerAvailabilitySettings(hostAgent: .required)
        let trace = Self.trace(0, 4) { _ in 0.1 }
        let workers = ["w1", "w2"].map { SimulatedWorker(name: $0, settings: settings, trace: trace) }
        let arrivals = [SimulatedArrival(id: 1, builder: "b", time: Self.at(1), duration: 600),
                        SimulatedArrival(id: 2, builder: "b", time: Self.at(1), duration: 600)]
        let agent = ArbiterStateMachine.Configuration(slots: 1, settle: 0, leaseTTL: 120)
        let result = Self.run(workers, builders: [Self.builder("b", ["w1", "w2"])], arrivals: arrivals, agent: agent, to: 4)
        let starts = result.builds.compactMap(\.start).sorted()
        #expect(starts.count == 2)
        #expect(starts[0] == Self.at(1))
        // The second slot only once the first build released its lease (10 minutes, renewed meanwhile).
        #expect(starts[1] >= Self.at(1).addingTimeInterval(600))
        #expect(starts[1] < Self.at(1).addingTimeInterval(600 + 61))
        #expect(result.peakRunning == 1)
        let waited = try #require(result.builds.first { $0.start == starts[1] })
        #expect(waited.reasons.contains { $0.reason.contains("host agent") })
        #expect(!result.notes.contains { $0.hasPrefix("a lease expired") })

        let twoSlots = Self.run(workers, builders: [Self.builder("b", ["w1", "w2"])], arrivals: arrivals,
                                agent: .init(slots: 2, settle: 0, leaseTTL: 120), to: 4)
        #expect(twoSlots.peakRunning == 2)
    }

    @Test func twoPoliciesOverTheSameTraceDiffer() throws {
        let window = try TimeWindow(when: "Mon-Fri 09:00-17:00", timeZone: "UTC")
        let trace = Self.trace(0, 24) { _ in 0.5 }
        let arrivals = [SimulatedArrival(id: 1, builder: "b", time: Self.at(10), duration: 600)]
        let strict = Self.run([SimulatedWorker(name: "w1", settings: .init(windows: [.init(window: window, mode: .unavailable)]), trace: trace)],
                              builders: [Self.builder("b", ["w1"])], arrivals: arrivals, spans: true)
        let lenient = Self.run([SimulatedWorker(name: "w1", settings: .init(windows: [.init(window: window, mode: .advisory)]), trace: trace)],
                               builders: [Self.builder("b", ["w1"])], arrivals: arrivals, spans: true)
        let report = SimulationReport(columns: [.init(name: "strict.cfg", result: strict), .init(name: "lenient.cfg", result: lenient)],
                                      zone: Self.utc)
        #expect(report.header == ["REQUEST", "BUILDER", "SUBMITTED", "strict.cfg: STARTS", "WAITS", "ON", "WHY IT WAITS",
                                  "lenient.cfg: STARTS", "WAITS", "ON", "WHY IT WAITS"])
        let row = try #require(report.rows.first)
        #expect(row[3] == "17:00" && row[4] == "7 h")
        #expect(row[7] == "10:00" && row[8] == "0 s" && row[10] == "-")
        #expect(report.summary.contains { $0.hasPrefix("strict.cfg: 1 started; total wait 7 h") })
        #expect(report.summary.contains { $0.hasPrefix("lenient.cfg: 1 started; total wait 0 s") })
        // The picture: the window's span, hatched, and the reason in its title.
        let spans = try #require(strict.spans["w1"])
        // Verdicts are sampled every 2,000th of the day (43.2 s): the band's edges within one.
        #expect(spans.contains {
            $0.state == .unavailable && abs($0.from.timeIntervalSince(Self.at(9))) <= 43.2
                && abs($0.to.timeIntervalSince(Self.at(17))) <= 43.2
        })
        let html = SimulationPicture(report: report, load: trace).html
        #expect(html.contains("url(#hatch)"))
        #expect(html.contains("<title>unavailable: restricted hours Mon-Fri 09:00-17:00"))
    }

    @Test func namesFromOutsideAreEscapedInThePicture() {
        let worker = SimulatedWorker(name: "<w1>", settings: WorkerAvailabilitySettings(), trace: Self.trace(0, 1) { _ in 0.1 })
        let result = Self.run([worker], builders: [Self.builder("b&<script>", ["<w1>"])],
                              arrivals: [SimulatedArrival(id: 1, builder: "b&<script>", time: Self.at(0.5), duration: 60)],
                              to: 1, spans: true)
        let html = SimulationPicture(report: SimulationReport(columns: [.init(name: "x\"y.cfg", result: result)], zone: Self.utc),
                                     load: []).html
        #expect(!html.contains("<script>") && !html.contains("<w1>"))
        #expect(html.contains("&lt;w1&gt;") && html.contains("b&amp;&lt;script&gt;"))
    }

    @Test func percentilesAreNearestRank() {
        #expect(SimulationResult.percentile(95, of: []) == nil)
        #expect(SimulationResult.percentile(95, of: [5]) == 5)
        #expect(SimulationResult.percentile(95, of: (1...100).map(Double.init)) == 95)
        #expect(SimulationResult.percentile(50, of: [1, 2, 3, 4]) == 2)
    }
}
