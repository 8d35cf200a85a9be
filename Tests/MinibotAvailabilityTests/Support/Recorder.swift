import Foundation
import Synchronization

/// Records items appended from any task and lets a test wait for one, with a generous
/// timeout instead of sleeping.
final class Recorder<Item: Sendable>: Sendable {
    private struct Waiter {
        var after: Int
        var predicate: @Sendable (Item) -> Bool
        var continuation: CheckedContinuation<Item?, Never>
    }

    private struct State {
        var items: [Item] = []
        var waiters: [Int: Waiter] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    var items: [Item] { state.withLock { $0.items } }
    var count: Int { state.withLock { $0.items.count } }

    func append(_ item: Item) {
        let toResume = state.withLock { state -> [CheckedContinuation<Item?, Never>] in
            state.items.append(item)
            let index = state.items.count - 1
            var resumed: [CheckedContinuation<Item?, Never>] = []
            for (id, waiter) in state.waiters where index >= waiter.after && waiter.predicate(item) {
                resumed.append(waiter.continuation)
                state.waiters[id] = nil
            }
            return resumed
        }
        for continuation in toResume { continuation.resume(returning: item) }
    }

    /// The first item at index `after` or later that matches, waiting up to `timeout` seconds.
    func wait(after: Int = 0, timeout: Double = 10, where predicate: @escaping @Sendable (Item) -> Bool = { _ in true }) async -> Item? {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        let timeoutTask = Task { [weak self] in
            try? await Task.sleep(for: .seconds(timeout))
            self?.expire(id)
        }
        defer { timeoutTask.cancel() }
        return await withCheckedContinuation { continuation in
            let existing = state.withLock { state -> Item? in
                if let match = state.items.dropFirst(after).first(where: predicate) { return match }
                state.waiters[id] = Waiter(after: after, predicate: predicate, continuation: continuation)
                return nil
            }
            if let existing { continuation.resume(returning: existing) }
        }
    }

    private func expire(_ id: Int) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.continuation.resume(returning: nil)
    }
}
