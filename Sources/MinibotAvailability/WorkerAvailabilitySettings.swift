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

    /// The flag from `master.cfg` (the initial state); a flag set at run time hides it.
    public var flag: ConfiguredFlag?
    public var windows: [WindowRule]
    /// `owner_idle`: held back while someone is at the keyboard; nil: the owner does not matter.
    public var ownerIdle: OwnerIdleSettings?
    /// Threshold on the 1-minute load average; nil: load does not matter.
    public var maxLoad: Double?
    /// Where a blocked load threshold frees again; nil: 80 % of `maxLoad`.
    public var resumeLoad: Double?
    /// Threshold on `/proc/pressure/cpu` "some avg10" (percent); nil: not checked.
    public var maxCPUPressure: Double?
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
        self.maxLoad = maxLoad
        self.resumeLoad = resumeLoad
        self.maxCPUPressure = maxCPUPressure
        self.loadMode = loadMode
        self.onUnknownLoad = onUnknownLoad
        self.statusInterval = statusInterval
        self.hostAgent = hostAgent
    }

    /// Whether the worker's load matters at all.
    public var watchesLoad: Bool { maxLoad != nil || maxCPUPressure != nil }

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
