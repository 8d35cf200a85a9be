import Synchronization

/// When a worker link last delivered a frame. Any frame counts — output, status, pong —
/// because a worker busy streaming a log is plainly alive even if its pong waits in line.
///
/// A scoped `Mutex`: the reader loop writes it per frame and the heartbeat task reads it,
/// and an actor hop per frame would cost more than the frame's own work.
final class LinkLiveness: Sendable {
    private let last: Mutex<ContinuousClock.Instant>

    init(now: ContinuousClock.Instant) {
        last = Mutex(now)
    }

    func heard(at instant: ContinuousClock.Instant) {
        last.withLock { $0 = instant }
    }

    /// How long nothing has been heard, at `instant`.
    func silence(at instant: ContinuousClock.Instant) -> Duration {
        instant - last.withLock { $0 }
    }
}
