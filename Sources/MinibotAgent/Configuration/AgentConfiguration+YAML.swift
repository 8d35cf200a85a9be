import Foundation
import MinibotCore
import Yams

extension AgentConfiguration {
    /// Reads `agent.yaml` over `base` (whose values stay where the file is silent).
    ///
    /// ```yaml
    /// slots: 2                 # alias: max_builds
    /// max_load: 4              # null: no load limit
    /// resume_load: 3           # default 80 % of max_load
    /// max_cpu_pressure: 40     # percent, some avg10; optional
    /// settle: 30s
    /// grant_load: 1.0          # expected load of a fresh grant
    /// offer_timeout: 5s
    /// lease_ttl: 30s
    /// socket: /run/minibot/agent.sock
    /// socket_mode: "0660"
    /// load_file: /tmp/fake-loadavg
    /// windows: [{when: "Mon-Fri 09:00-17:00", timezone: Europe/Paris, mode: unavailable}]
    /// ```
    public static func parse(yaml: String, file: String, base: AgentConfiguration) throws -> AgentConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw Self.error(from: error, file: file)
        }
        guard let root else { return base }
        guard let mapping = root.mapping else {
            throw AgentConfigurationError(file: file, line: root.mark?.line ?? 1, column: root.mark?.column ?? 1,
                                          message: "expected a mapping of agent settings")
        }
        var result = base
        let reader = NodeReader(file: file)
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            switch key {
            case "slots", "max_builds":
                guard let slots = Self.checkedSlots(try reader.int(value)) else {
                    throw reader.error(value, "\(key) \(Self.slotsRule)")
                }
                result.arbiter.slots = slots
            case "max_load": result.arbiter.maxLoad = try reader.optionalNumber(value)
            case "resume_load": result.arbiter.resumeLoad = try reader.optionalNumber(value)
            case "max_cpu_pressure": result.arbiter.maxCPUPressure = try reader.optionalNumber(value)
            case "resume_cpu_pressure": result.arbiter.resumeCPUPressure = try reader.optionalNumber(value)
            case "grant_load": result.arbiter.grantLoad = try reader.number(value)
            case "grant_load_window": result.arbiter.grantLoadWindow = try reader.duration(value)
            case "settle": result.arbiter.settle = try reader.duration(value)
            case "offer_timeout": result.arbiter.offerTimeout = try reader.positiveDuration(value)
            case "lease_ttl": result.arbiter.leaseTTL = try reader.positiveDuration(value)
            case "socket": result.socket.path = try reader.string(value)
            case "socket_mode":
                guard let mode = Self.socketMode(try reader.string(value)) else {
                    throw reader.error(value, "socket_mode \(Self.socketModeRule)")
                }
                result.socket.mode = mode
            case "load_file": result.load.file = try reader.string(value)
            case "sample_interval": result.load.sampleInterval = try reader.positiveDuration(value)
            case "windows": result.windows = try reader.windows(value)
            default:
                throw reader.error(keyNode, "unknown setting \(key.debugDescription); known: slots, max_load, resume_load, max_cpu_pressure, resume_cpu_pressure, grant_load, grant_load_window, settle, offer_timeout, lease_ttl, socket, socket_mode, load_file, sample_interval, windows")
            }
        }
        if let maxLoad = result.arbiter.maxLoad, let resume = result.arbiter.resumeLoad, resume > maxLoad,
           let node = mapping["resume_load"] {
            throw reader.error(node, "resume_load \(resume) must not be above max_load \(maxLoad)")
        }
        return result
    }

    private static func error(from error: YamlError, file: String) -> AgentConfigurationError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return AgentConfigurationError(file: file, line: mark.line, column: mark.column, message: problem)
        default:
            return AgentConfigurationError(file: file, line: 1, column: 1, message: "\(error)")
        }
    }
}

/// Typed reads of YAML nodes that fail with the node's position.
private struct NodeReader {
    let file: String

    func error(_ node: Node, _ message: String) -> AgentConfigurationError {
        AgentConfigurationError(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1, message: message)
    }

    func string(_ node: Node) throws -> String {
        guard let scalar = node.scalar else { throw error(node, "expected a string") }
        return scalar.string
    }

    func int(_ node: Node) throws -> Int {
        guard let value = node.scalar.flatMap({ Int($0.string) }) else { throw error(node, "expected a whole number") }
        return value
    }

    func number(_ node: Node) throws -> Double {
        guard let value = node.scalar.flatMap({ Double($0.string) }), value.isFinite, value >= 0 else {
            throw error(node, "expected a number, 0 or more")
        }
        return value
    }

    func optionalNumber(_ node: Node) throws -> Double? {
        if let scalar = node.scalar, ["", "~", "null", "none"].contains(scalar.string.lowercased()) { return nil }
        return try number(node)
    }

    func duration(_ node: Node) throws -> TimeInterval {
        guard let value = node.scalar.flatMap({ DurationText.seconds($0.string) }) else {
            throw error(node, "expected a duration such as 30s, 5m, 1h30m, 500ms (or seconds)")
        }
        return value
    }

    func positiveDuration(_ node: Node) throws -> TimeInterval {
        let value = try duration(node)
        guard value > 0 else { throw error(node, "duration must be more than 0") }
        return value
    }

    func windows(_ node: Node) throws -> [AgentConfiguration.Window] {
        guard let sequence = node.sequence else { throw error(node, "expected a list of windows") }
        return try sequence.map { entry in
            guard let mapping = entry.mapping else { throw error(entry, "expected {when: ..., timezone: ..., mode: ...}") }
            var window = AgentConfiguration.Window(when: "", location: "\(file):\(entry.mark?.line ?? 1):\(entry.mark?.column ?? 1)")
            for (keyNode, value) in mapping {
                switch keyNode.string ?? "" {
                case "when": window.when = try string(value)
                case "timezone": window.timezone = try string(value)
                case "mode":
                    let mode = try string(value)
                    guard ["unavailable", "advisory", "available"].contains(mode) else {
                        throw error(value, "mode must be unavailable, advisory or available")
                    }
                    window.mode = mode
                case "lead": window.lead = try duration(value)
                default: throw error(keyNode, "unknown window setting \((keyNode.string ?? "").debugDescription)")
                }
            }
            guard !window.when.isEmpty else { throw error(entry, "a window needs when: (e.g. \"Mon-Fri 09:00-17:00\")") }
            return window
        }
    }
}
