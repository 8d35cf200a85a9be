import Foundation
import MinibotCore
import MinibotHostFacts

/// A figure a worker reports that a threshold can watch: the one table of each signal's keys,
/// wording and units, so that every threshold is parsed, tracked and explained the same way.
public enum LoadSignal: String, Sendable, Hashable, CaseIterable {
    /// The 1-minute load average.
    case load
    /// PSI `some avg10` of `/proc/pressure/cpu`, `/proc/pressure/memory`, `/proc/pressure/io` (percent).
    case cpuPressure, memoryPressure, ioPressure
    /// `MemAvailable` of `/proc/meminfo` (bytes): the one signal where lower is busier.
    case freeMemory

    /// The key of its threshold in `master.cfg`: `max_load`, …, `min_free_memory`.
    public var key: String {
        switch self {
        case .load: "max_load"
        case .cpuPressure: "max_cpu_pressure"
        case .memoryPressure: "max_memory_pressure"
        case .ioPressure: "max_io_pressure"
        case .freeMemory: "min_free_memory"
        }
    }

    /// The key of its hard threshold: `hard_max_load`, …, `hard_min_free_memory`.
    public var hardKey: String { "hard_" + key }

    /// Which way is busier.
    public var direction: LoadHysteresis.Direction { self == .freeMemory ? .below : .above }

    /// How explanations name it.
    public var noun: String {
        switch self {
        case .load: "load"
        case .cpuPressure: "cpu pressure"
        case .memoryPressure: "memory pressure"
        case .ioPressure: "io pressure"
        case .freeMemory: "free memory"
        }
    }

    /// The cause an exceeded threshold gives.
    var source: Availability.Cause.Source {
        switch self {
        case .load: .load
        case .cpuPressure: .cpuPressure
        case .memoryPressure: .memoryPressure
        case .ioPressure: .ioPressure
        case .freeMemory: .freeMemory
        }
    }

    /// A value as explanations write it: `4.2`, `23.4%`, `1.5G`.
    public func format(_ value: Double) -> String {
        switch self {
        case .load: AvailabilityPolicy.format(value)
        case .cpuPressure, .memoryPressure, .ioPressure: AvailabilityPolicy.format(value) + "%"
        case .freeMemory: ByteSizeText.describe(value)
        }
    }

    /// The values a threshold on it may take in `master.cfg`.
    var range: ClosedRange<Double> {
        switch self {
        case .load: LoadBounds.load
        case .cpuPressure, .memoryPressure, .ioPressure: LoadBounds.pressure
        case .freeMemory: LoadBounds.memory
        }
    }

    /// The signal's value in a report; nil when the worker did not send it.
    func value(in status: WorkerStatus) -> Double? {
        switch self {
        case .load: status.load1
        case .cpuPressure: status.cpuPressure
        case .memoryPressure: status.memoryPressure
        case .ioPressure: status.ioPressure
        case .freeMemory: status.freeMemory
        }
    }
}
