import Foundation
import MinibotCore

/// The `plugins: availability:` section, parsed:
///
/// ```yaml
/// plugins:
///   availability:
///     default: {max_load: 3, on_unknown_load: unavailable}
///     workers:
///       workstation:
///         flag: {state: advisory, reason: "Anna's desktop"}
///         windows: [{when: "Mon-Fri 09:00-17:00", timezone: Europe/Paris, mode: unavailable, lead: 15m}]
///         max_load: 6
/// ```
///
/// Keys of a block: `flag`, `windows`, `owner_idle`, the thresholds (``LoadSignal``:
/// `max_load`, `max_cpu_pressure`, `max_memory_pressure`, `max_io_pressure`,
/// `min_free_memory`, each a number or `{value, resume, for, resume_after}`, and each with a
/// `hard_` twin that acts at the first sample), `resume_load`, `load_mode`,
/// `on_unknown_load`, `status_interval`, `host_agent`, `while_unavailable` (`finish`,
/// `renice`, `suspend`) and `max_suspend`. A worker's block
/// overrides `default:` key by key (a list of windows replaces the default list). A block
/// that sets `max_load` without `resume_load` gets 80 % of its own `max_load`. The block of a
/// worker declared `protocol: msgpack` (a stock buildbot-worker) may not set `host_agent`.
/// Such a worker reports no load itself: the master polls it (``WorkerStatus`` events as for
/// any worker), so `max_load` and `max_cpu_pressure` apply to it too.
public struct AvailabilityConfiguration: Sendable {
    public var defaults: WorkerAvailabilitySettings
    /// Merged settings of the workers that have their own block.
    public var overrides: [String: WorkerAvailabilitySettings]

    public init(defaults: WorkerAvailabilitySettings = WorkerAvailabilitySettings(),
                overrides: [String: WorkerAvailabilitySettings] = [:]) {
        self.defaults = defaults
        self.overrides = overrides
    }

    /// The settings that apply to `worker`.
    public func settings(for worker: String) -> WorkerAvailabilitySettings {
        overrides[worker] ?? defaults
    }

    /// Parses the section; throws every problem at once as ``ConfigErrors``.
    public init(node: ConfigNode, master: MasterConfig) throws {
        let (configuration, errors) = AvailabilityConfiguration.parse(node, master: master)
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        self = configuration
    }

    /// Parses what it can and reports every problem with its `file:line:column`.
    public static func parse(_ node: ConfigNode, master: MasterConfig) -> (AvailabilityConfiguration, [ConfigError]) {
        let reader = AvailabilityConfigReader()
        var configuration = AvailabilityConfiguration()
        if node.isNull { return (configuration, []) }
        guard reader.entries(node, "plugins: availability:", keys: ["default", "workers"]) != nil else {
            return (configuration, reader.errors)
        }
        var defaultBlock = SettingsBlock()
        if let node = node["default"], !node.isNull {
            defaultBlock = reader.settingsBlock(node)
        }
        configuration.defaults = defaultBlock.applied(to: WorkerAvailabilitySettings())
        reader.checkResume(defaultBlock, merged: configuration.defaults)
        reader.checkHardLimits(defaultBlock, merged: configuration.defaults)

        if let workersNode = node["workers"], !workersNode.isNull,
           let workerEntries = reader.entries(workersNode, "'workers'", keys: nil) {
            let known = master.workers.map(\.name)
            for entry in workerEntries {
                if !known.contains(entry.key) {
                    reader.error("unknown worker '\(entry.key)'; "
                        + Suggestions.hint(for: entry.key, among: known, label: "configured workers",
                                           whenEmpty: "no workers are configured"),
                        at: entry.keyLocation)
                }
                let block = entry.value.isNull ? SettingsBlock() : reader.settingsBlock(entry.value)
                if let location = block.hostAgentLocation,
                   master.workers.first(where: { $0.name == entry.key })?.wireProtocol == .msgpack {
                    // A stock buildbot-worker has no relay to a host agent; `default:` may say
                    // `host_agent` for the others (it never applies to a worker without an agent).
                    reader.error("'host_agent' cannot apply to worker '\(entry.key)': it is declared 'protocol: msgpack' "
                                 + "(a stock buildbot-worker has no host agent); remove the key", at: location)
                }
                let merged = block.applied(to: configuration.defaults, defaultsBlock: defaultBlock)
                reader.checkResume(block.maxLoad == nil ? defaultBlock : block, merged: merged)
                reader.checkHardLimits(block, merged: merged)
                configuration.overrides[entry.key] = merged
            }
        }
        return (configuration, reader.errors)
    }
}
