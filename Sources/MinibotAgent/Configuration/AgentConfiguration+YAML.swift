import MinibotConfig
import MinibotCore
import MinibotHostFacts

extension AgentConfiguration {
    /// The settings `agent.yaml` may hold (`max_builds` is an old name of `slots`).
    public static let fileKeys = [
        "slots", "max_builds", "max_load", "resume_load", "max_cpu_pressure", "resume_cpu_pressure",
        "grant_load", "grant_load_window", "settle", "offer_timeout", "lease_ttl", "socket",
        "socket_mode", "load_file", "sample_interval", "samples", "windows",
    ]

    /// Reads `agent.yaml` over `base` (whose values stay where the file is silent), through
    /// the reader `master.cfg` uses: every problem is reported, each as `file:line:column:
    /// message` with "did you mean" for misspelt keys.
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
    /// samples: /var/lib/minibot/samples.mbfr   # flight recorder; default SOCKET.samples.mbfr; none: off
    /// windows: [{when: "Mon-Fri 09:00-17:00", timezone: Europe/Paris, mode: unavailable}]
    /// ```
    public static func parse(yaml: String, file: String, base: AgentConfiguration) throws(ConfigErrors) -> AgentConfiguration {
        try read(YAMLDocument(text: yaml, path: file), base: base)
    }

    /// Reads the file at `path` over `base`.
    public static func load(path: String, base: AgentConfiguration) throws(ConfigErrors) -> AgentConfiguration {
        try read(YAMLDocument(contentsOf: path), base: base)
    }

    private static func read(_ document: YAMLDocument, base: AgentConfiguration) throws(ConfigErrors) -> AgentConfiguration {
        let reader = ConfigReader(errors: document.errors)
        // An empty file keeps every default.
        if document.root.isNull, reader.errors.isEmpty { return base }
        let result = reader.mapping(document.root, "the agent configuration", keys: fileKeys) { m in
            var result = base
            var a = result.arbiter
            if m.has("slots"), m.has("max_builds") {
                m.error("set 'slots' or its old name 'max_builds', not both", at: "max_builds")
            }
            for key in ["slots", "max_builds"] {
                if let slots = m.int(key, range: slotsRange) { a.slots = slots }
            }
            a.maxLoad = optionalNumber(m, "max_load", range: loadRange, default: a.maxLoad)
            a.resumeLoad = optionalNumber(m, "resume_load", range: loadRange, default: a.resumeLoad)
            a.maxCPUPressure = optionalNumber(m, "max_cpu_pressure", range: pressureRange, default: a.maxCPUPressure)
            a.resumeCPUPressure = optionalNumber(m, "resume_cpu_pressure", range: pressureRange,
                                                 default: a.resumeCPUPressure)
            a.grantLoad = m.double("grant_load", default: a.grantLoad, range: loadRange)
            if let window = m.duration("grant_load_window") { a.grantLoadWindow = window }
            a.settle = m.duration("settle", default: a.settle)
            a.offerTimeout = positiveDuration(m, "offer_timeout") ?? a.offerTimeout
            a.leaseTTL = positiveDuration(m, "lease_ttl") ?? a.leaseTTL
            crossCheck(a) { key, message in m.error(message, at: key) }
            result.arbiter = a
            if let path = m.string("socket") { result.socket.path = path }
            if let node = m["socket_mode"], let text = m.reader.string(node, "'socket_mode'") {
                if let mode = socketMode(text) {
                    result.socket.mode = mode
                } else {
                    m.reader.error("socket_mode \(socketModeRule), found '\(text.prefix(40))'", at: node.location)
                }
            }
            if let file = m.string("load_file") { result.load.file = file }
            if let samples = m.string("samples") { result.samples = samples }
            result.load.sampleInterval = positiveDuration(m, "sample_interval") ?? result.load.sampleInterval
            if let node = m["windows"], let windows = m.reader.windows(node) { result.windows = windows }
            return result
        }
        return try reader.finish(result, root: document.root)
    }

    /// A number, or nil when written `null`, `~`, `none` or left empty; `fallback` when absent.
    private static func optionalNumber(_ m: ConfigMapping, _ key: String, range: ClosedRange<Double>,
                                       default fallback: Double?) -> Double? {
        guard let entry = m.entries.first(where: { $0.key == key }) else { return fallback }
        if entry.value.isNull || entry.value.scalar?.lowercased() == "none" { return nil }
        return m.reader.double(entry.value, "'\(key)'", range: range)
    }

    private static func positiveDuration(_ m: ConfigMapping, _ key: String) -> Double? {
        guard let seconds = m.duration(key) else { return nil }
        guard seconds > 0 else {
            m.error("'\(key)' must be longer than zero", at: key)
            return nil
        }
        return seconds
    }
}
