import Foundation
import Synchronization

/// A coalescing "something changed" signal with one listener: any number of wakes before
/// the listener looks become one, and the listener can wait with a deadline (the
/// distributor's backstop, a scheduler's tree-stable timer, a poller's interval).
final class WakeSignal: Sendable {
    private struct State {
        var reasons: [String] = []
        var waiter: CheckedContinuation<Void, Never>?
        var isFinished = false
    }

    private let state = Mutex(State())

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
        let timer: Task<Void, Never>? = deadline.map { d in
            Task { [weak self] in
                let delay = d.timeIntervalSinceNow
                if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
                guard !Task.isCancelled else { return }
                self?.release()
            }
        }
        defer { timer?.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if !s.reasons.isEmpty || s.isFinished || Task.isCancelled { return true }
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

    private func release() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    var isFinished: Bool { state.withLock { $0.isFinished } }
}
