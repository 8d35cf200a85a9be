import Foundation
import MinibotCore

/// The master's runtime locks, shared by the distributor (a build's locks, reserved
/// before a worker is taken) and the build runner (a step's locks, taken when the step
/// starts and waited for in FIFO order).
///
/// The decisions live in ``LockBook``; this actor only serialises access to it and wakes
/// whoever waits when a lock is released.
actor LockManager {
    private var book: LockBook
    private var stepWaiters: [LockOwner: (accesses: [LockAccess], worker: String, label: String,
                                          continuation: CheckedContinuation<Bool, Never>)] = [:]
    private let wake: @Sendable (String) -> Void

    init(locks: [LockSpec], wake: @escaping @Sendable (String) -> Void) {
        self.book = LockBook(specs: locks)
        self.wake = wake
    }

    func apply(_ specs: [LockSpec]) {
        book.reconfigure(specs: specs)
        grantWaitingSteps()
    }

    /// Runs a synchronous decision over the book (the distributor's pass) atomically.
    ///
    /// The pass may leave lock queues (a request that no longer waits for a lock because its
    /// workers went busy is dequeued); a step queued behind it may then take the lock, and
    /// nothing else would tell it: a build would hold its worker forever.
    func withBook<T: Sendable>(_ body: (inout LockBook) -> T) -> T {
        let result = body(&book)
        grantWaitingSteps()
        return result
    }

    /// Turns a request's reservation into its build's hold, labelled for waiting reasons.
    func claimed(request: Int64, build: Int64, label: String) {
        book.reassign(from: .request(request), to: .build(build), label: label)
    }

    /// Takes a step's locks, waiting in FIFO order until they are free.
    ///
    /// When the step cannot take them at once, `waiting` is told why, on this actor, before
    /// the wait starts; it answers whether to wait at all (false: the build was stopped in
    /// the meantime). Returns false when the locks were not taken: not waited for, or the
    /// wait was abandoned by ``abandonStep(_:)``.
    func acquireStep(_ accesses: [LockAccess], worker: String, owner: LockOwner, label: String,
                     waiting: (String) -> Bool) async -> Bool {
        guard case .blocked(_, let reason) = book.acquire(accesses, worker: worker, owner: owner, label: label) else {
            return true
        }
        guard waiting(reason) else { return false }
        book.enqueue(accesses, worker: worker, owner: owner)
        return await withCheckedContinuation { continuation in
            stepWaiters[owner] = (accesses, worker, label, continuation)
        }
    }

    /// Stops a step's wait for its locks (its build was stopped); no-op when not waiting.
    func abandonStep(_ owner: LockOwner) {
        book.dequeue(owner)
        guard let waiter = stepWaiters.removeValue(forKey: owner) else { return }
        waiter.continuation.resume(returning: false)
        // Leaving the queue may let the waiters behind it through (steps and requests).
        grantWaitingSteps()
        wake("a step stopped waiting for its locks")
    }

    /// Releases everything `owner` holds (and its place in any queue); wakes waiters.
    func release(_ owner: LockOwner, wake shouldWake: Bool = true) {
        book.dequeue(owner)
        let freed = book.release(owner: owner)
        guard !freed.isEmpty else { return }
        grantWaitingSteps()
        // A distributor pass giving back what it reserved in the same breath must not wake
        // itself again, or it would spin.
        if shouldWake { wake("lock \(freed.map(\.description).joined(separator: ", ")) released") }
    }

    private func grantWaitingSteps() {
        var progressed = true
        while progressed {
            progressed = false
            for (owner, w) in stepWaiters
            where book.acquire(w.accesses, worker: w.worker, owner: owner, label: w.label).isGranted {
                stepWaiters[owner] = nil
                w.continuation.resume(returning: true)
                progressed = true
            }
        }
    }
}
