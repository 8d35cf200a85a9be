import Foundation

/// Why a pending request has not started: the answer to "why is my build not starting?".
///
/// A request's reasons come as a list: first a builder-wide summary (`worker` nil), then one
/// line per worker of the builder that could not take it. The master keeps the latest list
/// of every pending request and serves it with the request.
///
/// Two times, kept apart on purpose: ``until`` is what users see, the predicted end of the
/// wait; ``recheckAt`` is when the distributor looks again (a load report may go stale
/// before a flag expires), never shown.
public struct WaitingReason: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// The worker this is about; nil for the whole request.
    public var worker: String?
    /// What a user reads, e.g. `worker w1 busy (1/1 builds)`; it carries no time.
    public var reason: String
    /// Which kind of obstacle this is (counted by ``WaitingSummary``); nil for a reason
    /// that is about the builder alone (not configured, no workers listed).
    public var kind: WaitingKind?
    /// When the wait predictably ends (a flag expires, a window closes, the agent's settle
    /// time passes); nil when unknown or when it depends on a measurement (see ``condition``).
    public var until: Date?
    /// The IANA zone of the window whose end ``until`` is, so a reader can see that time in
    /// the window's own zone too; nil when it is no window's end.
    public var untilZone: String?
    /// The condition in words when the end depends on a measurement (`when load < 2.4`).
    public var condition: String?
    /// When the distributor re-checks this by itself; internal, never shown to users.
    public var recheckAt: Date?

    public init(worker: String? = nil, reason: String, kind: WaitingKind? = nil, until: Date? = nil,
                untilZone: String? = nil, condition: String? = nil, recheckAt: Date? = nil) {
        self.worker = worker
        self.reason = reason
        self.kind = kind
        self.until = until
        self.untilZone = untilZone
        self.condition = condition
        self.recheckAt = recheckAt
    }

    public var description: String { reason }
}
