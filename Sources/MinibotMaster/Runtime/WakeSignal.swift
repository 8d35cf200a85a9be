import Foundation
import MinibotCore
import Synchronization

/// A coalescing "something changed" signal with one listener: any number of wakes before
/// the listener looks become one, and the listener can wait with a deadline (the
/// distributor's backstop, a scheduler's tree-stable timer, a poller's interval).
final class WakeSignal: Sendable {
    private struct State {
        var reasons: [String] = []
        var waiter: CheckedContinuation<Void, Never>?
        var isFinished = false
        /// Which call of ``next(deadline:)`` a deadline timer belongs to: a late timer of an
        /// earlier wait must not end the current one.
        var generation: UInt64 = 0
        /// The current wait's deadline fired, possibly before the listener got to wait: kept
        /// as a flag so that such an early firing is not lost (a missed backstop would leave
        /// the listener asleep until some unrelated event).
        var isDeadlinePassed = false
    }

    private let state = Mutex(State())
    private let clock: any WallClock

    init(clock: any WallClock) {
        self.clock = clock
    }

    /// Records a reason and wakes the listener.
    func wake(_ reason: String) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.reasons.count < 64 { s.reasons.append(reason) }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Waits until woken, until `deadline` (a wall-clock time), or until cancelled or
    /// finished. Returns the reasons gathered since the last call: empty means the deadline
    /// passed (or the wait ended) without a wake.
    func next(deadline: Date?) async -> [String] {
        let generation = state.withLock { s -> UInt64 in
            s.generation &+= 1
            s.isDeadlinePassed = deadline.map { $0 <= clock.now() } ?? false
            return s.generation
        }
        let timer: Task<Void, Never>? = deadline.map { d in
            Task { [weak self, clock] in
                guard (try? await clock.sleep(until: d)) != nil, !Task.isCancelled else { return }
                self?.deadlineReached(generation)
            }
        }
        defer { timer?.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if !s.reasons.isEmpty || s.isFinished || s.isDeadlinePassed || Task.isCancelled { return true }
                    s.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            release()
        }
        return state.withLock { s in
            defer { s.reasons.removeAll() }
            return s.reasons
        }
    }

    /// Ends every wait for good (shutdown).
    func finish() {
        state.withLock { $0.isFinished = true }
        release()
    }

    private func deadlineReached(_ generation: UInt64) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard s.generation == generation else { return nil }
            s.isDeadlinePassed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    private func release() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    var isFinished: Bool { state.withLock { $0.isFinished } }
}
