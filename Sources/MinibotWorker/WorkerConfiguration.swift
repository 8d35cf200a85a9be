import Foundation
import MinibotHostFacts
import MinibotProtocol

/// Everything a worker needs to run: where its master is, who it is, where it builds.
///
/// Parsed once (from the command line or `worker.yaml`) and immutable afterwards.
public struct WorkerConfiguration: Sendable, Equatable {
    /// The master's HTTP URL, `http://HOST:PORT` (a trailing path is ignored); `ws://` and
    /// `wss://` are accepted too.
    public var masterURL: String
    public var name: String
    public var password: String
    /// Steps run in `basedir/<workdir>`; created when missing.
    public var basedir: String
    /// How often the worker reports its load.
    public var statusInterval: Duration
    /// The host agent's unix socket, announced to the master in `WorkerInfo.facts`.
    public var agentSocket: String?
    /// A file in `/proc/loadavg` format read instead of `/proc/loadavg` (tests, containers).
    public var loadFile: String?
    /// A file in `loginctl show-session` format (`IdleHint=…`, `IdleSinceHint=…`) read instead
    /// of logind for the owner's activity (``OwnerIdleReader``; tests).
    public var idleFile: String?
    /// The executable that supervises shell steps (``StepSupervisor``, Linux): the
    /// `minibot-worker` binary itself; nil runs steps directly.
    public var stepSupervisor: String?
    /// The flight recorder file (``FlightRecorder``): one load sample every
    /// ``samplesInterval`` seconds, kept 7 days, served to the master on request. Nil records
    /// nothing. `minibot-worker start` defaults it to `BASEDIR/samples.mbfr`.
    public var samplesFile: String?
    /// Seconds between recorded samples (10; shorter only for tests: the file keeps 60,480 of
    /// them whatever the interval).
    public var samplesInterval: UInt32 = FlightRecorder.defaultInterval
    /// Delays between connection attempts.
    public var reconnect: ReconnectBackoff.Configuration
    /// How long to wait for `welcome`/`refused` after sending `hello`.
    public var handshakeTimeout: Duration
    /// Ping interval used until the master names its own in `welcome`.
    public var defaultHeartbeat: Duration

    public init(masterURL: String, name: String, password: String, basedir: String,
                statusInterval: Duration = .seconds(5), agentSocket: String? = nil, loadFile: String? = nil,
                reconnect: ReconnectBackoff.Configuration = .init(),
                handshakeTimeout: Duration = .seconds(30), defaultHeartbeat: Duration = .seconds(10)) {
        self.masterURL = masterURL
        self.name = name
        self.password = password
        self.basedir = basedir
        self.statusInterval = statusInterval
        self.agentSocket = agentSocket
        self.loadFile = loadFile
        self.reconnect = reconnect
        self.handshakeTimeout = handshakeTimeout
        self.defaultHeartbeat = defaultHeartbeat
    }

    /// The WebSocket URL derived from ``masterURL``: `ws://HOST:PORT/workers/ws`.
    ///
    /// Throws ``WorkerConfigurationError`` when the URL has no host or an unknown scheme.
    public func webSocketURL() throws -> String {
        guard let components = URLComponents(string: masterURL), let host = components.host, !host.isEmpty else {
            throw WorkerConfigurationError("master URL '\(masterURL)' has no host: write it as http://HOST:PORT")
        }
        let scheme: String
        switch components.scheme?.lowercased() {
        case "http", "ws": scheme = "ws"
        case "https", "wss": scheme = "wss"
        default:
            throw WorkerConfigurationError("master URL '\(masterURL)' must start with http:// (or https://)")
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host  // IPv6 literal
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(hostPart)\(port)\(WorkerWire.path)"
    }
}

/// A configuration value the worker cannot use; the message says what to change.
public struct WorkerConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
