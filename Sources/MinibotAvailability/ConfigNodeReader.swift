import Foundation
import MinibotCore

/// Small readers over ``ConfigNode`` that collect every problem with its location instead
/// of stopping at the first. (A shared reader is being written in MinibotCore; until it
/// lands these stay private to the plugin.)
struct ConfigNodeReader {
    private(set) var errors: [ConfigError] = []

    mutating func error(_ message: String, at location: SourceLocation) {
        errors.append(ConfigError(message, at: location))
    }

    mutating func mapping(_ node: ConfigNode, what: String) -> [ConfigNode.Entry]? {
        guard let entries = node.entries else {
            error("\(what) must be a mapping, found \(node.kindName)", at: node.location)
            return nil
        }
        return entries
    }

    mutating func rejectUnknownKeys(_ entries: [ConfigNode.Entry], allowed: [String], in what: String) {
        var seen = Set<String>()
        for entry in entries {
            if !allowed.contains(entry.key) {
                error("unknown key '\(entry.key)' in \(what)" + Suggestion.didYouMean(entry.key, among: allowed)
                      + "; known keys: \(allowed.joined(separator: ", "))", at: entry.keyLocation)
            } else if !seen.insert(entry.key).inserted {
                error("duplicate key '\(entry.key)' in \(what)", at: entry.keyLocation)
            }
        }
    }

    mutating func string(_ node: ConfigNode, key: String) -> String? {
        guard let text = node.scalar else {
            error("\(key) must be a single value, found \(node.kindName)", at: node.location)
            return nil
        }
        return text
    }

    /// A non-negative number.
    mutating func number(_ node: ConfigNode, key: String) -> Double? {
        guard let text = string(node, key: key) else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0 else {
            error("\(key) must be a non-negative number, e.g. 3 or 2.5, found '\(text)'", at: node.location)
            return nil
        }
        return value
    }

    mutating func duration(_ node: ConfigNode, key: String) -> Double? {
        guard let text = string(node, key: key) else { return nil }
        guard let value = DurationText.seconds(text) else {
            error("\(key) must be a duration such as 30s, 15m or 2h, found '\(text)'", at: node.location)
            return nil
        }
        return value
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ node: ConfigNode, key: String, as: T.Type) -> T? where T.RawValue == String {
        guard let text = string(node, key: key) else { return nil }
        guard let value = T(rawValue: text.lowercased()) else {
            let names = T.allCases.map(\.rawValue)
            error("\(key) must be one of \(names.joined(separator: ", ")), found '\(text)'"
                  + Suggestion.didYouMean(text, among: names), at: node.location)
            return nil
        }
        return value
    }

    // MARK: the plugin's blocks

    mutating func settingsBlock(_ node: ConfigNode) -> SettingsBlock {
        var block = SettingsBlock()
        guard let entries = mapping(node, what: "an availability block") else { return block }
        rejectUnknownKeys(entries, allowed: SettingsBlock.keys, in: "an availability block")
        for entry in entries {
            let value = entry.value
            switch entry.key {
            case "flag": block.flag = flag(value)
            case "windows": block.windows = windows(value)
            case "max_load":
                block.maxLoad = positive(value, key: entry.key)
            case "resume_load":
                block.resumeLoad = number(value, key: entry.key)
                block.resumeLoadLocation = value.location
            case "max_cpu_pressure":
                if let p = positive(value, key: entry.key) {
                    if p > 100 { error("max_cpu_pressure is a percentage (0-100), found \(p)", at: value.location) }
                    block.maxCPUPressure = p
                }
            case "load_mode": block.loadMode = choice(value, key: entry.key, as: WorkerAvailabilitySettings.LoadMode.self)
            case "on_unknown_load": block.onUnknownLoad = choice(value, key: entry.key, as: AvailabilityState.self)
            case "status_interval":
                if let d = duration(value, key: entry.key) {
                    if d <= 0 { error("status_interval must be longer than zero", at: value.location) }
                    else { block.statusInterval = d }
                }
            case "host_agent": block.hostAgent = choice(value, key: entry.key, as: WorkerAvailabilitySettings.HostAgentMode.self)
            default: break
            }
        }
        return block
    }

    /// Reports a `resume_load` that cannot work with the `max_load` it ends up with.
    mutating func checkResume(_ block: SettingsBlock, merged: WorkerAvailabilitySettings) {
        guard let resume = block.resumeLoad, let location = block.resumeLoadLocation else { return }
        guard let max = merged.maxLoad else {
            error("resume_load needs a max_load", at: location)
            return
        }
        if resume >= max {
            error("resume_load (\(resume)) must be below max_load (\(max)): the worker takes builds again once its load falls below it", at: location)
        }
    }

    private mutating func positive(_ node: ConfigNode, key: String) -> Double? {
        guard let value = number(node, key: key) else { return nil }
        guard value > 0 else {
            error("\(key) must be greater than zero", at: node.location)
            return nil
        }
        return value
    }

    /// `flag: unavailable` or `flag: {state: unavailable, reason: "..."}`.
    private mutating func flag(_ node: ConfigNode) -> ConfiguredFlag? {
        if node.scalar != nil {
            return choice(node, key: "flag", as: AvailabilityState.self).map { ConfiguredFlag(state: $0) }
        }
        guard let entries = mapping(node, what: "flag") else { return nil }
        rejectUnknownKeys(entries, allowed: ["state", "reason"], in: "flag")
        guard let stateNode = node["state"] else {
            error("flag needs a state: \(AvailabilityState.names)", at: node.location)
            return nil
        }
        guard let state = choice(stateNode, key: "state", as: AvailabilityState.self) else { return nil }
        let reason = node["reason"].flatMap { string($0, key: "reason") } ?? ""
        return ConfiguredFlag(state: state, reason: reason)
    }

    /// A list of `{when, timezone, mode, lead, reason}` or of bare `when` strings.
    private mutating func windows(_ node: ConfigNode) -> [WindowRule]? {
        if node.isNull { return [] }
        guard case .sequence(let items) = node.value else {
            error("windows must be a list, e.g. [{when: \"Mon-Fri 09:00-17:00\", mode: unavailable}], found \(node.kindName)", at: node.location)
            return nil
        }
        var rules: [WindowRule] = []
        for item in items {
            if let rule = window(item) { rules.append(rule) }
        }
        return rules
    }

    private mutating func window(_ node: ConfigNode) -> WindowRule? {
        if let text = node.scalar {
            return timeWindow(text, at: node.location, zone: nil, zoneLocation: nil).map { WindowRule(window: $0) }
        }
        guard let entries = mapping(node, what: "a window") else { return nil }
        rejectUnknownKeys(entries, allowed: ["when", "timezone", "mode", "lead", "reason"], in: "a window")
        guard let whenNode = node["when"] else {
            error("a window needs 'when', e.g. when: \"Mon-Fri 09:00-17:00\"", at: node.location)
            return nil
        }
        let zoneNode = node["timezone"]
        let zone = zoneNode.flatMap { string($0, key: "timezone") }
        let mode = node["mode"].map { choice($0, key: "mode", as: WorkerAvailabilitySettings.LoadMode.self) } ?? .unavailable
        let lead = node["lead"].map { duration($0, key: "lead") } ?? 0
        let reason = node["reason"].flatMap { string($0, key: "reason") }
        guard let when = string(whenNode, key: "when"),
              let window = timeWindow(when, at: whenNode.location, zone: zone, zoneLocation: zoneNode?.location),
              let mode, let lead else { return nil }
        return WindowRule(window: window, mode: mode, lead: lead, reason: reason)
    }

    private mutating func timeWindow(_ when: String, at location: SourceLocation, zone: String?, zoneLocation: SourceLocation?) -> TimeWindow? {
        var timeZone = TimeZone.current
        var zoneIsValid = true
        do {
            timeZone = try TimeWindow.timeZone(zone)
        } catch {
            self.error(error.message, at: zoneLocation ?? location)
            zoneIsValid = false
        }
        do {
            let window = try TimeWindow(when: when, timeZone: timeZone)
            return zoneIsValid ? window : nil
        } catch {
            self.error("bad window '\(when)': \(error.message)", at: location)
            return nil
        }
    }
}
