import Foundation
import MinibotCore
import MinibotHostFacts

/// One block of settings as written (`default:` or a worker's): only the keys present.
/// Merging key by key over a base gives a ``WorkerAvailabilitySettings``.
struct SettingsBlock {
    var flag: ConfiguredFlag?
    var windows: [WindowRule]?
    var ownerIdle: OwnerIdleSettings?
    var maxLoad: Double?
    var resumeLoad: Double?
    var resumeLoadLocation: SourceLocation?
    var maxCPUPressure: Double?
    var loadMode: WorkerAvailabilitySettings.LoadMode?
    var onUnknownLoad: AvailabilityState?
    var statusInterval: Double?
    var hostAgent: WorkerAvailabilitySettings.HostAgentMode?
    /// Where `host_agent` is written, to refuse it for a stock worker.
    var hostAgentLocation: SourceLocation?

    static let keys = ["flag", "windows", "max_load", "resume_load", "max_cpu_pressure", "load_mode",
                       "on_unknown_load", "status_interval", "host_agent",
                       "owner_idle"]

    /// This block over `base`, key by key. A block that sets `max_load` without
    /// `resume_load` does not inherit the base's `resume_load` (it belonged to another
    /// threshold): it gets the default 80 % of its own `max_load`.
    func applied(to base: WorkerAvailabilitySettings, defaultsBlock: SettingsBlock? = nil) -> WorkerAvailabilitySettings {
        var s = base
        if let flag { s.flag = flag }
        if let windows { s.windows = windows }
        if let ownerIdle { s.ownerIdle = ownerIdle }
        if let maxLoad {
            s.maxLoad = maxLoad
            s.resumeLoad = resumeLoad
        } else if let resumeLoad {
            s.resumeLoad = resumeLoad
        }
        if let maxCPUPressure { s.maxCPUPressure = maxCPUPressure }
        if let loadMode { s.loadMode = loadMode }
        if let onUnknownLoad { s.onUnknownLoad = onUnknownLoad }
        if let statusInterval { s.statusInterval = statusInterval }
        if let hostAgent { s.hostAgent = hostAgent }
        return s
    }
}
