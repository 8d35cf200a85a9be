import Foundation

/// The one source of time for everything in Minibot that decides something: the master's
/// services (distributor backstop, schedulers' timers, pollers, janitor, build runner, event
/// log), plugins (through their context) and the host agent.
///
/// Wall-clock `Date` rather than a monotonic instant, because deadlines are exchanged with
/// workers and agents and windows are calendar times. Tests inject `ManualClock` (in
/// MinibotTesting) and move time themselves; nothing then sleeps for real.
///
/// Called from any task; implementations are thread-safe.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Date
    /// Returns at or after `deadline` (at once when it has passed); throws
    /// `CancellationError` when the task is cancelled first.
    func sleep(until deadline: Date) async throws
}

extension WallClock {
    /// Sleeps for `seconds` from now; a non-finite or negative value does not sleep.
    public func sleep(seconds: Double) async throws {
        try await sleep(until: now().addingTimeInterval(seconds.isFinite ? max(0, seconds) : 0))
    }
}

/// The system's wall clock.
public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSinceNow
        // Task.sleep traps on a non-finite duration; a deadline that far is "never".
        guard interval > 0 else {
            try Task.checkCancellation()
            return
        }
        try await Task.sleep(for: .seconds(min(interval, 365 * 86_400)))
    }
}
