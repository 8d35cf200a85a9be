import Foundation
import MinibotCore
import MinibotHostFacts

/// One block of settings as written (`default:` or a worker's): only the keys present.
/// Merging key by key over a base gives a ``WorkerAvailabilitySettings``.
struct SettingsBlock {
    var flag: ConfiguredFlag?
    var windows: [WindowRule]?
    var ownerIdle: OwnerIdleSettings?
    /// `max_load`, `max_memory_pressure`, `min_free_memory`, … and the `hard_` ones.
    var thresholds: [LoadSignal: ThresholdLimit] = [:]
    var hardThresholds: [LoadSignal: ThresholdLimit] = [:]
    /// Where each threshold key's value is written, by key, for the checks across keys.
    var thresholdLocations: [String: SourceLocation] = [:]
    var resumeLoad: Double?
    var resumeLoadLocation: SourceLocation?
    var loadMode: WorkerAvailabilitySettings.LoadMode?
    var onUnknownLoad: AvailabilityState?
    var statusInterval: Double?
    var hostAgent: WorkerAvailabilitySettings.HostAgentMode?
    /// Where `host_agent` is written, to refuse it for a stock worker.
    var hostAgentLocation: SourceLocation?
    var whileUnavailable: WorkerAvailabilitySettings.WhileUnavailable?
    var maxSuspend: Double?

    static let keys = ["flag", "windows", "resume_load", "load_mode",
                       "on_unknown_load", "status_interval", "host_agent",
                       "owner_idle", "while_unavailable", "max_suspend"] + thresholdKeys.keys.sorted()

    /// Every threshold key, with its signal and whether it is the hard one.
    static let thresholdKeys: [String: (signal: LoadSignal, isHard: Bool)] = {
        var keys: [String: (signal: LoadSignal, isHard: Bool)] = [:]
        for signal in LoadSignal.allCases {
            keys[signal.key] = (signal, false)
            keys[signal.hardKey] = (signal, true)
        }
        return keys
    }()

    /// The `max_load` set in this block.
    var maxLoad: Double? { thresholds[.load]?.value }

    /// This block over `base`, key by key (a threshold key with its `resume`, `for` and
    /// `resume_after`, the `hard_` key apart). A block that sets `max_load` without
    /// `resume_load` does not inherit the base's `resume_load` (it belonged to another
    /// threshold): it gets the default 80 % of its own `max_load`.
    func applied(to base: WorkerAvailabilitySettings, defaultsBlock: SettingsBlock? = nil) -> WorkerAvailabilitySettings {
        var s = base
        if let flag { s.flag = flag }
        if let windows { s.windows = windows }
        if let ownerIdle { s.ownerIdle = ownerIdle }
        s.thresholds.merge(thresholds) { _, own in own }
        s.hardThresholds.merge(hardThresholds) { _, own in own }
        if let resumeLoad { s.resumeLoad = resumeLoad }
        if let loadMode { s.loadMode = loadMode }
        if let onUnknownLoad { s.onUnknownLoad = onUnknownLoad }
        if let statusInterval { s.statusInterval = statusInterval }
        if let hostAgent { s.hostAgent = hostAgent }
        if let whileUnavailable { s.whileUnavailable = whileUnavailable }
        if let maxSuspend { s.maxSuspend = maxSuspend }
        return s
    }
}
