import Foundation
import MinibotAvailability
import MinibotCore
import MinibotHostFacts
import Testing

/// Memory and IO pressure, free memory, and the timed thresholds (`for`, `hard_`,
/// `resume_after`) as the plugin parses, tracks and explains them, with exact times.
@Suite struct PressureThresholdTests {
    let master = MasterConfig(workers: [WorkerSpec(name: "w1", password: "x"), WorkerSpec(name: "w2", password: "x")])
    let t0 = at("2025-03-24 10:00")
    func t(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }
    static let gib = 1024.0 * 1024 * 1024

    func status(load: Double = 0.5, memory: Double? = nil, io: Double? = nil, free: Double? = nil) -> WorkerStatus {
        WorkerStatus(load1: load, memoryPressure: memory, ioPressure: io, freeMemory: free, time: t0)
    }

    func explain(_ settings: WorkerAvailabilitySettings, _ tracker: LoadTracker, at now: Date) -> Availability {
        AvailabilityPolicy(settings: settings, displayTimeZone: paris).evaluate(flag: nil, load: tracker, isConnected: true, now: now)
    }

    /// Parses one `default:` block given as `(key, value)` scalars or mappings; line 2 onwards.
    func parse(_ entries: [(String, ConfigNode)]) -> (AvailabilityConfiguration, [String]) {
        let block = Node.map(entries.enumerated().map { (i, e) in (e.0, 2 + i, 7, e.1) })
        let (configuration, errors) = AvailabilityConfiguration.parse(Node.map([("default", 1, 1, block)]), master: master)
        return (configuration, errors.map(\.description))
    }

    // MARK: explanations

    @Test func memoryPressureHoldsBackWithItsOwnHysteresis() {
        let settings = parse([("max_memory_pressure", Node.scalar("20", 2, 30))]).0.defaults
        var tracker = LoadTracker(settings: settings)
        tracker.record(status(memory: 23.4), at: t0)
        #expect(explain(settings, tracker, at: t0).explanation
                == "unavailable: memory pressure 23.4% > 20.0%, when memory pressure < 16.0%")
        tracker.record(status(memory: 17), at: t(5))
        #expect(explain(settings, tracker, at: t(5)).summary
                == "unavailable: memory pressure 17.0% not yet below 16.0% after exceeding 20.0%")
        tracker.record(status(memory: 15), at: t(10))
        #expect(explain(settings, tracker, at: t(10)).state == .available)
    }

    @Test func ioPressureAndFreeMemory() {
        var settings = WorkerAvailabilitySettings()
        settings.thresholds[.ioPressure] = ThresholdLimit(value: 30)
        settings.thresholds[.freeMemory] = ThresholdLimit(value: 2 * Self.gib, resume: 3 * Self.gib)
        var tracker = LoadTracker(settings: settings)
        tracker.record(status(io: 45, free: 1.5 * Self.gib), at: t0)
        #expect(explain(settings, tracker, at: t0).explanation
                == "unavailable: io pressure 45.0% > 30.0%, when io pressure < 24.0%; free memory 1.5G < 2G, when free memory > 3G")
        tracker.record(status(io: 10, free: 2.5 * Self.gib), at: t(5))
        #expect(explain(settings, tracker, at: t(5)).summary
                == "unavailable: free memory 2.5G not yet above 3G after falling below 2G")
    }

    /// The API's view of a worker carries the figures last reported.
    @Test func theWorkersViewShowsTheFigures() {
        let settings = WorkerAvailabilitySettings()
        var tracker = LoadTracker(settings: settings)
        tracker.record(status(memory: 12.5, io: 3, free: 2 * Self.gib), at: t0)
        let json = explain(settings, tracker, at: t0).json
        #expect(json["memory_pressure"] == .number(12.5))
        #expect(json["io_pressure"] == .number(3))
        #expect(json["free_memory"] == .number(2 * Self.gib))
        tracker.record(load1: 1, cpuPressure: nil, at: t(1))
        #expect(explain(settings, tracker, at: t(1)).json["memory_pressure"] == .null)
    }

    /// An older worker sends no memory figures: the threshold holds nothing back.
    @Test func aMissingSignalHoldsNothingBack() {
        let settings = parse([("max_memory_pressure", Node.scalar("20", 2, 30))]).0.defaults
        var tracker = LoadTracker(settings: settings)
        tracker.record(load1: 0.5, cpuPressure: nil, at: t0)
        #expect(explain(settings, tracker, at: t0).state == .available)
    }

    /// `for: 30s`, `hard_max_memory_pressure: 50`, `resume_after: 2m`, report by report.
    @Test func softHardAndResumeAfterWithExactTimes() {
        let (configuration, errors) = parse([
            ("max_memory_pressure", Node.map([
                ("value", 2, 30, Node.scalar("20", 2, 37)),
                ("for", 2, 41, Node.scalar("30s", 2, 46)),
                ("resume_after", 2, 51, Node.scalar("2m", 2, 65)),
            ])),
            ("hard_max_memory_pressure", Node.scalar("50", 3, 33)),
        ])
        #expect(errors.isEmpty)
        let settings = configuration.defaults
        var tracker = LoadTracker(settings: settings)
        func report(_ seconds: Double, _ memory: Double) -> Availability {
            tracker.record(status(memory: memory), at: t(seconds))
            return explain(settings, tracker, at: t(seconds))
        }
        #expect(report(0, 25).state == .available)             // soft: not for 30 s yet
        #expect(report(29, 25).state == .available)
        let soft = report(30, 25)
        #expect(soft.explanation == "unavailable: memory pressure 25.0% > 20.0%, when memory pressure < 16.0% for 2 min")
        #expect(report(40, 10).summary == "unavailable: memory pressure 10.0% below 16.0% for 0 s of 2 min")
        #expect(report(100, 10).summary == "unavailable: memory pressure 10.0% below 16.0% for 1 min of 2 min")
        #expect(report(160, 10).state == .available)           // 120 s below 16
        #expect(report(170, 55).summary == "unavailable: memory pressure 55.0% > 50.0% (hard limit)")  // at once
    }

    @Test func reconfigKeepsAThresholdBlocked() {
        var settings = WorkerAvailabilitySettings()
        settings.thresholds[.memoryPressure] = ThresholdLimit(value: 20)
        var tracker = LoadTracker(settings: settings)
        tracker.record(status(memory: 30), at: t0)
        settings.thresholds[.memoryPressure] = ThresholdLimit(value: 40)
        tracker.reconfigure(settings)
        #expect(tracker.thresholds[.memoryPressure]?.isBlocked == true)
        #expect(tracker.thresholds[.memoryPressure]?.max == 40)
    }

    // MARK: configuration

    @Test func parsesEveryNewKey() {
        let (configuration, errors) = parse([
            ("max_io_pressure", Node.map([("value", 2, 20, Node.scalar("30", 2, 27)), ("resume", 2, 31, Node.scalar("10", 2, 39))])),
            ("min_free_memory", Node.scalar("2G", 3, 24)),
            ("hard_min_free_memory", Node.scalar("512M", 4, 29)),
            ("max_load", Node.map([("value", 5, 20, Node.scalar("4", 5, 27)), ("for", 5, 31, Node.scalar("1m", 5, 36))])),
            ("hard_max_load", Node.scalar("8", 6, 22)),
        ])
        #expect(errors == [])
        let s = configuration.defaults
        #expect(s.thresholds[.ioPressure] == ThresholdLimit(value: 30, resume: 10))
        #expect(s.thresholds[.freeMemory] == ThresholdLimit(value: 2 * Self.gib))
        #expect(s.hardThresholds[.freeMemory] == ThresholdLimit(value: 0.5 * Self.gib))
        #expect(s.hysteresis(of: .freeMemory) == LoadHysteresis(max: 2 * Self.gib, direction: .below, hard: 0.5 * Self.gib))
        #expect(s.hysteresis(of: .load) == LoadHysteresis(max: 4, hard: 8, holdFor: 60))
        #expect(s.maxLoad == 4)
    }

    /// A worker's `hard_max_load` joins the default's `max_load` (key by key).
    @Test func hardKeyMergesKeyByKey() {
        let node = Node.map([
            ("default", 1, 1, Node.map([("max_load", 2, 7, Node.scalar("3", 2, 17))])),
            ("workers", 3, 1, Node.map([("w1", 4, 3, Node.map([("hard_max_load", 4, 7, Node.scalar("6", 4, 22))]))])),
        ])
        let (configuration, errors) = AvailabilityConfiguration.parse(node, master: master)
        #expect(errors.isEmpty)
        #expect(configuration.settings(for: "w1").hysteresis(of: .load) == LoadHysteresis(max: 3, hard: 6))
    }

    @Test func badValuesAreReportedWithTheirPlace() {
        let (_, errors) = parse([
            ("max_memory_pressure", Node.scalar("150", 2, 30)),
            ("min_free_memory", Node.scalar("lots", 3, 24)),
            ("max_io_pressure", Node.map([("for", 4, 20, Node.scalar("30s", 4, 25))])),
            ("hard_max_cpu_pressure", Node.map([("value", 5, 30, Node.scalar("50", 5, 37)), ("for", 5, 41, Node.scalar("1m", 5, 46))])),
            ("max_load", Node.map([("value", 6, 17, Node.scalar("3", 6, 24)), ("resume", 6, 27, Node.scalar("4", 6, 35)),
                                   ("resume_after", 6, 38, Node.scalar("forever", 6, 52))])),
            ("min_free_memory_typo", Node.scalar("1G", 7, 28)),
        ])
        #expect(errors.contains("master.cfg:2:30: 'max_memory_pressure' is a percentage (0-100), found 150.0"))
        #expect(errors.contains("master.cfg:3:24: expected a size such as 2G or 512M for 'min_free_memory', found 'lots'"))
        #expect(errors.contains("master.cfg:4:20: 'max_io_pressure' needs 'value': the limit, e.g. {value: 20, for: 30s}"))
        #expect(errors.contains("master.cfg:5:46: 'for' does not apply to 'hard_max_cpu_pressure': a hard limit acts at the first sample; give 'max_cpu_pressure' the 'for'"))
        #expect(errors.contains("master.cfg:6:35: 'resume' (4.0) must be below the 'value' of 'max_load' (3.0): the worker takes builds again once its load is back past it"))
        #expect(errors.contains { $0.hasPrefix("master.cfg:6:52:") && $0.contains("'resume_after'") })
        #expect(errors.contains { $0.hasPrefix("master.cfg:7:") && $0.contains("min_free_memory_typo") })
    }

    /// A hard limit under the soft one it inherits is one mistake, reported once, where it is written.
    @Test func hardLimitBelowTheSoftOneIsReportedOnce() {
        let node = Node.map([
            ("default", 1, 1, Node.map([
                ("max_memory_pressure", 2, 7, Node.scalar("30", 2, 28)),
                ("hard_max_memory_pressure", 3, 7, Node.scalar("20", 3, 33)),
            ])),
            ("workers", 4, 1, Node.map([
                ("w1", 5, 3, Node.map([("status_interval", 5, 7, Node.scalar("10s", 5, 24))])),
                ("w2", 6, 3, Node.map([("status_interval", 6, 7, Node.scalar("10s", 6, 24))])),
            ])),
        ])
        let errors = AvailabilityPlugin.checkConfiguration(node, master: master).map(\.description)
        #expect(errors == ["master.cfg:3:33: 'hard_max_memory_pressure' (20.0%) must be above 'max_memory_pressure' (30.0%): the hard limit acts at once, the other after its 'for'"])
    }

    @Test func sizesReadAsBinaryUnits() {
        #expect(ByteSizeText.bytes("2G") == 2 * Self.gib)
        #expect(ByteSizeText.bytes("512M") == 536_870_912.0)
        #expect(ByteSizeText.bytes("1.5GiB") == 1.5 * Self.gib)
        #expect(ByteSizeText.bytes("64kb") == 65536)
        #expect(ByteSizeText.bytes("1000") == 1000)
        for bad in ["", "G", "2X", "1e9", "-1G", "nan", "inf", "1.2.3G", "2048T", String(repeating: "9", count: 400)] {
            #expect(ByteSizeText.bytes(bad) == nil, "\(bad)")
        }
        #expect(ByteSizeText.describe(1.5 * Self.gib) == "1.5G")
        #expect(ByteSizeText.describe(536_870_912) == "512M")
        #expect(ByteSizeText.describe(100) == "100B")
    }
}
