import Foundation
import MinibotCore

/// A state set on purpose for one worker — from `master.cfg`, the REST API, the CLI or the
/// worker's owner — with why, by whom, since when and until when.
///
/// An `available` flag is an explicit "no flag": it hides the flag from `master.cfg`
/// until it expires, but windows and load still apply.
public struct AvailabilityFlag: Sendable, Hashable {
    public var state: AvailabilityState
    public var reason: String
    public var setBy: String
    public var setAt: Date
    /// Nil: until changed.
    public var expiresAt: Date?

    public init(state: AvailabilityState, reason: String = "", setBy: String, setAt: Date, expiresAt: Date? = nil) {
        self.state = state
        self.reason = reason
        self.setBy = setBy
        self.setAt = setAt
        self.expiresAt = expiresAt
    }

    /// Whether the flag still applies at `now` (an expired flag reverts by itself).
    public func isActive(at now: Date) -> Bool {
        guard let expiresAt else { return true }
        return now < expiresAt
    }

    /// The persisted and API form: `{state, reason, set_by, set_at, expires_at}` with
    /// times as epoch seconds.
    public var json: JSONValue {
        .object([
            "state": .string(state.rawValue),
            "reason": .string(reason),
            "set_by": .string(setBy),
            "set_at": .number(setAt.timeIntervalSince1970),
            "expires_at": expiresAt.map { .number($0.timeIntervalSince1970) } ?? .null,
        ])
    }

    /// Reads ``json``; nil when the value is not a flag (a corrupt or foreign entry).
    public init?(json: JSONValue) {
        guard let stateName = json["state"]?.stringValue,
              let state = AvailabilityState(rawValue: stateName),
              let setAt = json["set_at"]?.doubleValue else { return nil }
        self.state = state
        self.reason = json["reason"]?.stringValue ?? ""
        self.setBy = json["set_by"]?.stringValue ?? "unknown"
        self.setAt = Date(timeIntervalSince1970: setAt)
        self.expiresAt = json["expires_at"]?.doubleValue.map(Date.init(timeIntervalSince1970:))
    }
}
