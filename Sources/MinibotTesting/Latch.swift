import Foundation
import Synchronization

/// A value set once (a process's exit status, the end of its output) that any number of
/// tasks wait for, each with its own time limit.
final class Latch<Value: Sendable>: Sendable {
    private let state = Mutex<(value: Value?, waiters: [UUID: CheckedContinuation<Value?, Never>])>((nil, [:]))

    var value: Value? { state.withLock { $0.value } }

    /// Sets the value (the first time only) and wakes every waiter.
    func set(_ value: Value) {
        let waiting = state.withLock { s -> [CheckedContinuation<Value?, Never>] in
            guard s.value == nil else { return [] }
            s.value = value
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for w in waiting { w.resume(returning: value) }
    }

    /// The value once set, or nil after `timeout` seconds.
    func wait(timeout: Double) async -> Value? {
        let id = UUID()
        let timer = Task { [weak self] in
            try? await Task.sleep(for: .seconds(timeout))
            let c = self?.state.withLock { $0.waiters.removeValue(forKey: id) }
            c?.resume(returning: nil)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let done: Value? = state.withLock { s in
                if let v = s.value { return v }
                s.waiters[id] = continuation
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}
