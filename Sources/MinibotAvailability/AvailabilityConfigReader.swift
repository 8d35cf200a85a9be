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
            case "resume_load":
                block.resumeLoad = number(value, key: entry.key)
                block.resumeLoadLocation = value.location
            case "load_mode": block.loadMode = choice(value, key: entry.key, as: WorkerAvailabilitySettings.LoadMode.self)
            case "on_unknown_load": block.onUnknownLoad = choice(value, key: entry.key, as: AvailabilityState.self)
            case "status_interval":
                if let d = duration(value, key: entry.key) {
                    if d <= 0 { error("'status_interval' must be longer than zero", at: value.location) }
                    else { block.statusInterval = d }
                }
            case "while_unavailable":
                block.whileUnavailable = choice(value, key: entry.key, as: WorkerAvailabilitySettings.WhileUnavailable.self)
            case "max_suspend":
                if let d = duration(value, key: entry.key) {
                    if d <= 0 { error("'max_suspend' must be longer than zero", at: value.location) }
                    else { block.maxSuspend = d }
                }
            case "host_agent":
                block.hostAgent = choice(value, key: entry.key, as: WorkerAvailabilitySettings.HostAgentMode.self)
                block.hostAgentLocation = entry.keyLocation
            default:
                guard let known = SettingsBlock.thresholdKeys[entry.key],
                      let limit = threshold(value, key: entry.key, signal: known.signal, isHard: known.isHard) else { break }
                if known.isHard { block.hardThresholds[known.signal] = limit } else { block.thresholds[known.signal] = limit }
                block.thresholdLocations[entry.key] = value.location
            }
        }
        if block.thresholds[.load]?.resume != nil, let location = block.resumeLoadLocation {
            error("'resume_load' and the 'resume' of 'max_load' both set where the load threshold frees; keep one",
                  at: location)
        }
        return block
    }

    /// Reports a hard threshold that is not beyond the soft one it ends up with (it would
    /// make the soft one's `for` pointless). Only for the keys `block` sets itself, so an
    /// inherited mistake is reported once, where it is written.
    func checkHardLimits(_ block: SettingsBlock, merged: WorkerAvailabilitySettings) {
        for signal in LoadSignal.allCases {
            guard let soft = merged.thresholds[signal], let hard = merged.hardThresholds[signal],
                  let location = block.thresholdLocations[signal.hardKey] ?? block.thresholdLocations[signal.key]
            else { continue }
            let isBeyond = signal.direction == .above ? hard.value > soft.value : hard.value < soft.value
            guard !isBeyond else { continue }
            let way = signal.direction == .above ? "above" : "below"
            error("'\(signal.hardKey)' (\(signal.format(hard.value))) must be \(way) '\(signal.key)' (\(signal.format(soft.value))): "
                  + "the hard limit acts at once, the other after its 'for'", at: location)
        }
    }

    /// `max_memory_pressure: 20` or `{value: 20, resume: 16, for: 30s, resume_after: 2m}`;
    /// free memory as a size (`2G`, `512M`). A hard key takes no `for`.
    private func threshold(_ node: ConfigNode, key: String, signal: LoadSignal, isHard: Bool) -> ThresholdLimit? {
        guard node.scalar == nil else {
            return limitValue(node, key: key, signal: signal).map { ThresholdLimit(value: $0) }
        }
        guard entries(node, "'\(key)'", keys: ["value", "resume", "for", "resume_after"]) != nil else { return nil }
        guard let valueNode = node["value"] else {
            error("'\(key)' needs 'value': the limit, e.g. {value: \(Self.example(signal)), for: 30s}", at: node.location)
            return nil
        }
        guard let value = limitValue(valueNode, key: key, signal: signal) else { return nil }
        var limit = ThresholdLimit(value: value)
        if let forNode = node["for"] {
            if isHard {
                error("'for' does not apply to '\(key)': a hard limit acts at the first sample; "
                      + "give '\(signal.key)' the 'for'", at: forNode.location)
            } else if let d = duration(forNode, key: "for") {
                limit.holdFor = d
            }
        }
        if let afterNode = node["resume_after"], let d = duration(afterNode, key: "resume_after") {
            limit.resumeAfter = d
        }
        if let resumeNode = node["resume"], let resume = limitValue(resumeNode, key: "resume", signal: signal, allowsZero: true) {
            let isBack = signal.direction == .above ? resume < value : resume > value
            if isBack {
                limit.resume = resume
            } else {
                let way = signal.direction == .above ? "below" : "above"
                error("'resume' (\(signal.format(resume))) must be \(way) the 'value' of '\(key)' (\(signal.format(value))): "
                      + "the worker takes builds again once its \(signal.noun) is back past it", at: resumeNode.location)
            }
        }
        return limit
    }

    /// A limit on `signal`: a load, a percentage, or a size; greater than zero unless `allowsZero`.
    private func limitValue(_ node: ConfigNode, key: String, signal: LoadSignal, allowsZero: Bool = false) -> Double? {
        let value: Double
        switch signal {
        case .freeMemory:
            guard let text = node.scalar else {
                reader.typeError(expected: "a size such as 2G or 512M", for: "'\(key)'", found: node)
                return nil
            }
            guard let bytes = ByteSizeText.bytes(text) else {
                error("expected a size such as 2G or 512M for '\(key)', found '\(text)'", at: node.location)
                return nil
            }
            value = bytes
        case .load:
            guard let v = number(node, key: key) else { return nil }
            value = v
        case .cpuPressure, .memoryPressure, .ioPressure:
            guard let v = number(node, key: key) else { return nil }
            guard v <= 100 else {
                error("'\(key)' is a percentage (0-100), found \(v)", at: node.location)
                return nil
            }
            value = v
        }
        guard allowsZero || value > 0 else {
            error("'\(key)' must be greater than zero", at: node.location)
            return nil
        }
        return value
    }

    private static func example(_ signal: LoadSignal) -> String {
        switch signal {
        case .load: "3"
        case .cpuPressure, .memoryPressure, .ioPressure: "20"
        case .freeMemory: "2G"
        }
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
