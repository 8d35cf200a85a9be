import Foundation

/// The agent's source of time: what `now` is, and how to wait for a deadline.
///
/// Injected into `Agent` so that tests can run it on a controlled clock. Wall-clock `Date` is
/// used (rather than a monotonic instant) because deadlines are exchanged with workers and
/// windows are calendar times; a clock step moves lease expiries with it.
public protocol AgentClock: Sendable {
    /// The current time.
    func now() -> Date
    /// Returns at or after `deadline`; throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// The system's wall clock.
public struct SystemAgentClock: AgentClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSinceNow
        if interval > 0 {
            try await Task.sleep(for: .seconds(interval))
        }
    }
}
