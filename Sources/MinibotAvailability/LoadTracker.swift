import Foundation
import MinibotCore
import MinibotHostFacts

/// What the master knows of one worker's load: the last report, when it arrived (master
/// time), and the threshold state machines it feeds, one per watched ``LoadSignal``.
public struct LoadTracker: Sendable, Equatable {
    /// When the last report arrived, by the master's clock (the worker's clock may differ).
    public private(set) var lastReportAt: Date?
    /// The last report's figures, by signal; a signal the worker did not send is missing.
    public private(set) var values: [LoadSignal: Double] = [:]
    /// The thresholds of the watched signals.
    public private(set) var thresholds: [LoadSignal: LoadHysteresis] = [:]

    public var load1: Double? { values[.load] }
    public var cpuPressure: Double? { values[.cpuPressure] }
    /// The load threshold, and the CPU-pressure one.
    public var load: LoadHysteresis? { thresholds[.load] }
    public var pressure: LoadHysteresis? { thresholds[.cpuPressure] }

    public init(settings: WorkerAvailabilitySettings) {
        reconfigure(settings)
    }

    /// Applies new thresholds, keeping whether they are blocked.
    public mutating func reconfigure(_ settings: WorkerAvailabilitySettings) {
        var next: [LoadSignal: LoadHysteresis] = [:]
        for signal in LoadSignal.allCases {
            guard let limits = settings.hysteresis(of: signal) else { continue }
            next[signal] = thresholds[signal]?.reconfigured(to: limits) ?? limits
        }
        thresholds = next
    }

    /// Feeds one report received at `time` (the master's clock: `for` and `resume_after` are
    /// measured with it). A signal missing from the report leaves its threshold as it was.
    public mutating func record(_ status: WorkerStatus, at time: Date) {
        lastReportAt = time
        values = [:]
        for signal in LoadSignal.allCases {
            guard let value = signal.value(in: status) else { continue }
            values[signal] = value
            thresholds[signal]?.update(value, at: time)
        }
    }

    /// Feeds a report of the load and CPU pressure only.
    public mutating func record(load1: Double, cpuPressure: Double?, at time: Date) {
        record(WorkerStatus(load1: load1, cpuPressure: cpuPressure, time: time), at: time)
    }

    /// Forgets the samples (the worker reconnected: its old figures say nothing now) but
    /// keeps the thresholds' blocked state, so a busy host does not look free before it
    /// reports a low load.
    public mutating func forgetSamples() {
        lastReportAt = nil
        values = [:]
    }

    /// After the wall clock jumped backwards a report can look like it came from the
    /// future, which would keep the load "known" for as long as the jump: count it as
    /// received now instead.
    public mutating func clampReportTime(to now: Date) {
        if let last = lastReportAt, last > now { lastReportAt = now }
    }
}
