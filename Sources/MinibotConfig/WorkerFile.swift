import Foundation
import MinibotCore

/// `DIR/worker.yaml`: what `create-worker` writes and `start DIR` reads.
///
/// ```yaml
/// master: http://127.0.0.1:8010
/// name: w1
/// password: secret1
/// basedir: .              # relative to DIR; default DIR itself
/// status_interval: 5s
/// agent: /run/minibot-agent.sock
/// load_file: /some/loadavg
/// idle_file: /some/idle    # the owner's activity, in `loginctl show-session` format (tests)
/// samples: samples.mbfr    # the flight recorder, relative to DIR; default BASEDIR/samples.mbfr; none: off
/// ```
///
/// Read with the reader of `master.cfg` and `agent.yaml`: every problem is reported as
/// `file:line:column: message`, misspelt keys with "did you mean".
public struct WorkerFile: Sendable, Equatable {
    public var master: String
    public var name: String
    public var password: String
    public var basedir: String?
    /// Seconds between two load reports.
    public var statusInterval: Double?
    public var agent: String?
    public var loadFile: String?
    /// Read instead of logind for the owner's activity (`IdleHint=…` lines).
    public var idleFile: String?
    /// The flight recorder file (relative to DIR), or `none`.
    public var samples: String?

    public static let fileName = "worker.yaml"

    public static let keys = ["master", "name", "password", "basedir", "status_interval", "agent", "load_file", "idle_file", "samples"]

    public static func path(in directory: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(fileName).path
    }

    public init(master: String, name: String, password: String, basedir: String? = nil,
                statusInterval: Double? = nil, agent: String? = nil, loadFile: String? = nil) {
        self.master = master
        self.name = name
        self.password = password
        self.basedir = basedir
        self.statusInterval = statusInterval
        self.agent = agent
        self.loadFile = loadFile
    }

    /// Reads `DIR/worker.yaml`.
    public static func load(from directory: String) throws(ConfigErrors) -> WorkerFile {
        try parse(YAMLDocument(contentsOf: path(in: directory)))
    }

    /// Checks a parsed `worker.yaml`, reporting every problem.
    public static func parse(_ document: YAMLDocument) throws(ConfigErrors) -> WorkerFile {
        let reader = ConfigReader(errors: document.errors)
        let file = reader.mapping(document.root, "the worker file", keys: keys) { m -> WorkerFile? in
            let master = m.string("master", required: true)
            let name = m.string("name", required: true)
            let password = m.string("password", required: true)
            var interval: Double?
            if let seconds = m.duration("status_interval") {
                if seconds > 0 { interval = seconds } else { m.error("'status_interval' must be longer than zero", at: "status_interval") }
            }
            guard let master, let name, let password else { return nil }
            var file = WorkerFile(master: master, name: name, password: password, basedir: m.string("basedir"),
                                  statusInterval: interval, agent: m.string("agent"), loadFile: m.string("load_file"))
            file.idleFile = m.string("idle_file")
            file.samples = m.string("samples")
            return file
        } ?? nil
        return try reader.finish(file, root: document.root)
    }

    /// The file's text: every value a double-quoted YAML string, so no password or path
    /// can change its meaning.
    public var text: String {
        var lines = [("master", master), ("name", name), ("password", password)]
        if let basedir { lines.append(("basedir", basedir)) }
        if let statusInterval { lines.append(("status_interval", "\(statusInterval)s")) }
        if let agent { lines.append(("agent", agent)) }
        if let loadFile { lines.append(("load_file", loadFile)) }
        if let idleFile { lines.append(("idle_file", idleFile)) }
        if let samples { lines.append(("samples", samples)) }
        return lines.map { "\($0.0): \(Self.quoted($0.1))\n" }.joined()
    }

    /// `value` as a double-quoted YAML scalar (JSON's escapes are YAML's).
    static func quoted(_ value: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

}
