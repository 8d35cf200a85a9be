import Foundation
import MinibotConfig
import MinibotCore
import MinibotHostFacts

/// Reads the availability section's blocks. The values themselves go through the shared
/// ``ConfigReader``, so the section's messages read like the rest of master.cfg's and every
/// problem is collected with its location.
struct AvailabilityConfigReader {
    let reader = ConfigReader()

    var errors: [ConfigError] { reader.errors }

    func error(_ message: String, at location: SourceLocation) {
        reader.error(message, at: location)
    }

    /// The entries of a mapping, after reporting keys not in `keys` (nil: any key).
    func entries(_ node: ConfigNode, _ what: String, keys: [String]?) -> [ConfigNode.Entry]? {
        reader.mapping(node, what, keys: keys) { $0.entries }
    }

    func string(_ node: ConfigNode, key: String) -> String? {
        reader.string(node, "'\(key)'")
    }

    /// A load or a pressure: within ``LoadBounds/load`` (a pressure is checked against 100 after).
    func number(_ node: ConfigNode, key: String) -> Double? {
        reader.double(node, "'\(key)'", range: LoadBounds.load)
    }

    func duration(_ node: ConfigNode, key: String) -> Double? {
        reader.duration(node, "'\(key)'")
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: ConfigNode, key: String, as: T.Type) -> T? where T.RawValue == String {
        reader.choice(node, "'\(key)'", as: T.self)
    }

    // MARK: the plugin's blocks

    func settingsBlock(_ node: ConfigNode) -> SettingsBlock {
        var block = SettingsBlock()
        guard let entries = entries(node, "an availability block", keys: SettingsBlock.keys) else { return block }
        for entry in entries {
            let value = entry.value
            switch entry.key {
            case "flag": block.flag = flag(value)
            case "windows": block.windows = reader.windows(value)
            case "owner_idle": block.ownerIdle = ownerIdle(value)
            case "max_load":
                block.maxLoad = positive(value, key: entry.key)
            case "resume_load":
                block.resumeLoad = number(value, key: entry.key)
                block.resumeLoadLocation = value.location
            case "max_cpu_pressure":
                if let p = positive(value, key: entry.key) {
                    if p > 100 { error("'max_cpu_pressure' is a percentage (0-100), found \(p)", at: value.location) }
                    block.maxCPUPressure = p
                }
            case "load_mode": block.loadMode = choice(value, key: entry.key, as: WorkerAvailabilitySettings.LoadMode.self)
            case "on_unknown_load": block.onUnknownLoad = choice(value, key: entry.key, as: AvailabilityState.self)
            case "status_interval":
                if let d = duration(value, key: entry.key) {
                    if d <= 0 { error("'status_interval' must be longer than zero", at: value.location) }
                    else { block.statusInterval = d }
                }
            case "host_agent":
                block.hostAgent = choice(value, key: entry.key, as: WorkerAvailabilitySettings.HostAgentMode.self)
                block.hostAgentLocation = entry.keyLocation
            default: break
            }
        }
        return block
    }

    /// Reports a `resume_load` that cannot work with the `max_load` it ends up with.
    func checkResume(_ block: SettingsBlock, merged: WorkerAvailabilitySettings) {
        guard let resume = block.resumeLoad, let location = block.resumeLoadLocation else { return }
        guard let max = merged.maxLoad else {
            error("'resume_load' needs a 'max_load'", at: location)
            return
        }
        if resume >= max {
            error("'resume_load' (\(resume)) must be below 'max_load' (\(max)): the worker takes builds again once its load falls below it", at: location)
        }
    }

    private func positive(_ node: ConfigNode, key: String) -> Double? {
        guard let value = number(node, key: key) else { return nil }
        guard value > 0 else {
            error("'\(key)' must be greater than zero", at: node.location)
            return nil
        }
        return value
    }

    /// `owner_idle: {after: 10m, mode: strict}` (`mode` defaults to strict).
    private func ownerIdle(_ node: ConfigNode) -> OwnerIdleSettings? {
        guard entries(node, "'owner_idle'", keys: ["after", "mode"]) != nil else { return nil }
        guard let afterNode = node["after"] else {
            error("'owner_idle' needs 'after': how long the desktop session must have been idle, e.g. 10m", at: node.location)
            return nil
        }
        guard let after = duration(afterNode, key: "after") else { return nil }
        guard after > 0 else {
            error("'after' must be longer than zero", at: afterNode.location)
            return nil
        }
        var mode = OwnerIdleSettings.Mode.strict
        if let modeNode = node["mode"] {
            guard let chosen = choice(modeNode, key: "mode", as: OwnerIdleSettings.Mode.self) else { return nil }
            mode = chosen
        }
        return OwnerIdleSettings(after: after, mode: mode)
    }

    /// `flag: unavailable` or `flag: {state: unavailable, reason: "..."}`.
    private func flag(_ node: ConfigNode) -> ConfiguredFlag? {
        if node.scalar != nil {
            return choice(node, key: "flag", as: AvailabilityState.self).map { ConfiguredFlag(state: $0) }
        }
        guard entries(node, "'flag'", keys: ["state", "reason"]) != nil else { return nil }
        guard let stateNode = node["state"] else {
            error("'flag' needs a 'state': \(AvailabilityState.names)", at: node.location)
            return nil
        }
        guard let state = choice(stateNode, key: "state", as: AvailabilityState.self) else { return nil }
        let reason = node["reason"].flatMap { string($0, key: "reason") } ?? ""
        return ConfiguredFlag(state: state, reason: reason)
    }
}
