import Foundation
import MinibotCore
import MinibotHostFacts

/// The availability settings of one worker: the `default:` block merged with the worker's
/// own block under `workers:`, key by key. Immutable, parsed once per (re)load.
public struct WorkerAvailabilitySettings: Sendable, Equatable {
    /// What happens to a worker while a load threshold is exceeded: the same two effects
    /// as a window's `mode`.
    public typealias LoadMode = RestrictionMode

    /// Whether builds on the worker need a slot from the host agent (see ``HostAgentGate``).
    public enum HostAgentMode: String, Sendable, Equatable, CaseIterable {
        case required, ignore
    }

    /// What happens to the builds already running when the worker turns unavailable
    /// (`while_unavailable`, see ``BuildHoldPolicy``); an advisory verdict never acts.
    public enum WhileUnavailable: String, Sendable, Equatable, CaseIterable {
        /// They finish as if nothing happened (the default).
        case finish
        /// Their steps run at nice 19 and the idle IO class, for good (an unprivileged
        /// worker cannot raise them again); later steps start so while the worker stays unavailable.
        case renice
        /// Their steps are stopped (SIGSTOP) and continued when the worker is usable again;
        /// after `max_suspend` the build ends RETRY and runs elsewhere.
        case suspend
    }

    /// The default `max_suspend`: one hour.
    public static let defaultMaxSuspend: Double = 3600

    public var whileUnavailable: WhileUnavailable = .finish
    /// How long a build may stay suspended before it ends RETRY (`max_suspend`), in seconds.
    public var maxSuspend: Double = WorkerAvailabilitySettings.defaultMaxSuspend

    /// The flag from `master.cfg` (the initial state); a flag set at run time hides it.
    public var flag: ConfiguredFlag?
    public var windows: [WindowRule]
    /// `owner_idle`: held back while someone is at the keyboard; nil: the owner does not matter.
    public var ownerIdle: OwnerIdleSettings?
    /// The thresholds written as `max_load`, `max_memory_pressure`, `min_free_memory`, … by signal.
    public var thresholds: [LoadSignal: ThresholdLimit]
    /// The hard ones: `hard_max_load`, …, acting at the first sample.
    public var hardThresholds: [LoadSignal: ThresholdLimit]
    public var loadMode: LoadMode
    /// The state of a worker whose load is unknown (never reported, or 3 reports missed).
    public var onUnknownLoad: AvailabilityState
    /// How often the worker reports its load, in seconds; three missed reports make it unknown.
    public var statusInterval: Double
    /// Nil when not set: required when the worker has an agent.
    public var hostAgent: HostAgentMode?

    public init(flag: ConfiguredFlag? = nil, windows: [WindowRule] = [], maxLoad: Double? = nil,
                resumeLoad: Double? = nil, maxCPUPressure: Double? = nil, loadMode: LoadMode = .unavailable,
                onUnknownLoad: AvailabilityState = .unavailable, statusInterval: Double = 5,
                hostAgent: HostAgentMode? = nil) {
        self.flag = flag
        self.windows = windows
        self.thresholds = [:]
        self.hardThresholds = [:]
        self.loadMode = loadMode
        self.onUnknownLoad = onUnknownLoad
        self.statusInterval = statusInterval
        self.hostAgent = hostAgent
        self.maxLoad = maxLoad
        self.resumeLoad = resumeLoad
        self.maxCPUPressure = maxCPUPressure
    }

    /// Threshold on the 1-minute load average; nil: load does not matter (or only a hard one).
    public var maxLoad: Double? {
        get { thresholds[.load]?.value }
        set { setLimit(newValue, of: .load) }
    }

    /// Where a blocked load threshold frees again; nil: 80 % of `maxLoad`. Set after `maxLoad`.
    public var resumeLoad: Double? {
        get { thresholds[.load]?.resume }
        set { thresholds[.load]?.resume = newValue }
    }

    /// Threshold on `/proc/pressure/cpu` "some avg10" (percent); nil: not checked.
    public var maxCPUPressure: Double? {
        get { thresholds[.cpuPressure]?.value }
        set { setLimit(newValue, of: .cpuPressure) }
    }

    /// The state machine of `signal`'s thresholds (soft and hard); nil when it has none.
    public func hysteresis(of signal: LoadSignal) -> LoadHysteresis? {
        ThresholdLimit.hysteresis(soft: thresholds[signal], hard: hardThresholds[signal], signal: signal)
    }

    /// Whether the worker's load matters at all.
    public var watchesLoad: Bool { !thresholds.isEmpty || !hardThresholds.isEmpty }

    private mutating func setLimit(_ value: Double?, of signal: LoadSignal) {
        if let value {
            thresholds[signal] = ThresholdLimit(value: value)
        } else {
            thresholds[signal] = nil
        }
    }

    /// How long after the last report the load counts as unknown: three missed reports.
    public var unknownLoadAfter: Double { 3 * statusInterval }
}

/// `flag: {state, reason}` in `master.cfg`.
public struct ConfiguredFlag: Sendable, Equatable {
    public var state: AvailabilityState
    public var reason: String

    public init(state: AvailabilityState, reason: String = "") {
        self.state = state
        self.reason = reason
    }
}

extension WindowRule {
    /// The availability a worker has inside the window.
    public var state: AvailabilityState { mode == .unavailable ? .unavailable : .advisory }
}
