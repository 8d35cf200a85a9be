import Foundation

/// The host is unavailable for new builds, e.g. inside an "unavailable" window.
///
/// Computed outside the arbiter (from the configured windows and the clock) by the `Agent`
/// before each step, and passed in as an input so that the arbiter stays pure.
public struct HostBlock: Sendable, Equatable {
    /// Shown to waiting subscribers, e.g. "restricted hours Mon-Fri 09:00-17:00 Europe/Paris" (the end is `until`).
    public var reason: String
    /// When the block ends, where known; the agent wakes up then.
    public var until: Date?

    public init(reason: String, until: Date?) {
        self.reason = reason
        self.until = until
    }
}
