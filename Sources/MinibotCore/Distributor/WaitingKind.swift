/// The kind of obstacle a ``WaitingReason`` names: what ``WaitingSummary`` counts workers by.
/// The raw values are the API's (`waiting_summary[].kind`).
public enum WaitingKind: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    case notConnected = "not_connected"
    case paused
    case draining
    case busy
    case notAdmitted = "not_admitted"
    case unavailable
    case locked

    /// `not connected`, `waiting for a lock`: how the summary line words it.
    public var words: String {
        switch self {
        case .notConnected: "not connected"
        case .paused: "paused"
        case .draining: "draining"
        case .notAdmitted: "not admitted"
        case .busy: "busy"
        case .unavailable: "unavailable"
        case .locked: "waiting for a lock"
        }
    }
}
