import Foundation
import MinibotCore
import MinibotHostFacts

/// What the master knows of one worker's load: the last report, when it arrived (master
/// time), and the hysteresis thresholds it feeds.
public struct LoadTracker: Sendable, Equatable {
    /// When the last report arrived, by the master's clock (the worker's clock may differ).
    public private(set) var lastReportAt: Date?
    public private(set) var load1: Double?
    public private(set) var cpuPressure: Double?
    public private(set) var load: LoadHysteresis?
    public private(set) var pressure: LoadHysteresis?

    public init(settings: WorkerAvailabilitySettings) {
        reconfigure(settings)
    }

    /// Applies new thresholds, keeping whether they are blocked.
    public mutating func reconfigure(_ settings: WorkerAvailabilitySettings) {
        load = settings.maxLoad.map { max in
            load?.reconfigured(max: max, resume: settings.resumeLoad) ?? LoadHysteresis(max: max, resume: settings.resumeLoad)
        }
        pressure = settings.maxCPUPressure.map { max in
            pressure?.reconfigured(max: max, resume: nil) ?? LoadHysteresis(max: max)
        }
    }

    /// Feeds one report received at `time`.
    public mutating func record(load1: Double, cpuPressure: Double?, at time: Date) {
        lastReportAt = time
        self.load1 = load1
        self.cpuPressure = cpuPressure
        load?.update(load1)
        if let cpuPressure { pressure?.update(cpuPressure) }
    }

    /// Forgets the samples (the worker reconnected: its old figures say nothing now) but
    /// keeps the thresholds' blocked state, so a busy host does not look free before it
    /// reports a low load.
    public mutating func forgetSamples() {
        lastReportAt = nil
        load1 = nil
        cpuPressure = nil
    }

    /// After the wall clock jumped backwards a report can look like it came from the
    /// future, which would keep the load "known" for as long as the jump: count it as
    /// received now instead.
    public mutating func clampReportTime(to now: Date) {
        if let last = lastReportAt, last > now { lastReportAt = now }
    }
}
