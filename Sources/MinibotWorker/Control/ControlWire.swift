import Foundation
import MinibotCore

// The worker's local control contract: `minibot-worker availability … DIR` ↔ the running worker.
//
// Transport: `LineChannel` (JSON lines) over the unix socket `ControlWire.socketName` in the
// worker's base directory, mode 0600, so only the worker's owner (and root) can use it. The
// worker is never reachable through it from the network.
//
// Flow, one request per line, answered in order:
//   CLI                                    worker                               master
//   ControlRequest(set|clear|show)     ──▶ plugin("availability", set_flag |
//                                          clear_flag | get_availability)   ──▶ AvailabilityPlugin
//                                          ◀── plugin("availability", {type: availability, ok, …})
//   ControlReply(ok, error, availability) ◀──
//
// The worker answers at once with an error when it is not connected to its master, and after
// `ControlServer.Configuration.replyTimeout` when the master does not answer (no availability
// plugin enabled there). Flags live on the master, which persists them: they survive restarts
// of both sides.

/// Names shared by both ends of the control socket.
public enum ControlWire {
    /// The socket's file name inside the worker's base directory.
    public static let socketName = "minibot-worker.sock"
    /// The plugin channel the worker relays availability requests on.
    public static let availabilityChannel = "availability"

    /// The control socket of a worker whose base directory is `basedir`.
    public static func socketPath(basedir: String) -> String {
        URL(fileURLWithPath: basedir).appendingPathComponent(socketName).path
    }
}

/// A request from the local CLI to the running worker.
public struct ControlRequest: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable {
        /// Set the worker's flag (`state` required).
        case set
        /// Clear the run-time flag: back to what master.cfg says.
        case clear
        /// Only ask for the current availability.
        case show
    }

    public var action: Action
    /// `available`, `advisory` or `unavailable`, for `set`.
    public var state: String?
    public var reason: String?
    /// An expiry as a duration, e.g. `2h` (the master parses it).
    public var duration: String?
    /// Who asks, as `user@host`; the worker appends ` (worker)` when relaying.
    public var user: String

    public init(action: Action, state: String? = nil, reason: String? = nil, duration: String? = nil, user: String) {
        self.action = action
        self.state = state
        self.reason = reason
        self.duration = duration
        self.user = user
    }

    enum CodingKeys: String, CodingKey {
        case action, state, reason, user
        case duration = "for"
    }

    /// The plugin message the worker relays to the master's availability plugin.
    var pluginPayload: JSONValue {
        switch action {
        case .show:
            return .object(["type": .string("get_availability")])
        case .clear:
            return .object(["type": .string("clear_flag"), "by": .string("\(user) (worker)")])
        case .set:
            var fields: [String: JSONValue] = ["type": .string("set_flag"), "by": .string("\(user) (worker)"),
                                               "state": .string(state ?? "")]
            if let reason { fields["reason"] = .string(reason) }
            if let duration { fields["for"] = .string(duration) }
            return .object(fields)
        }
    }
}

/// The worker's answer: the master's verdict on the request and the worker's availability.
public struct ControlReply: Sendable, Codable, Equatable {
    public var isOK: Bool
    /// The worker's name, as the master knows it.
    public var worker: String?
    /// What went wrong, said so that the user knows what to do.
    public var error: String?
    /// The worker's availability as the master reports it (see the plugin's `Availability.json`).
    public var availability: JSONValue?

    public init(isOK: Bool, worker: String? = nil, error: String? = nil, availability: JSONValue? = nil) {
        self.isOK = isOK
        self.worker = worker
        self.error = error
        self.availability = availability
    }

    static func failure(_ error: String) -> ControlReply { ControlReply(isOK: false, error: error) }

    enum CodingKeys: String, CodingKey {
        case isOK = "ok", worker, error, availability
    }
}
