import Foundation

/// What a drain asks for at one instant: pure, with the time as an argument.
///
/// Without a deadline, or before it, nothing happens to running builds (the distributor already gives the
/// worker no new ones) and the caller should look again at the deadline; from the deadline
/// on, every build still running on the worker that has not been told yet ends RETRY.
public struct DrainDeadline: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// End this build RETRY (by the id the caller gave in `running`): its request is
        /// pending again and may run on another worker.
        case retry(Int64, reason: String)
    }

    public var worker: String
    public var drain: WorkerDrain

    public init(worker: String, drain: WorkerDrain) {
        self.worker = worker
        self.drain = drain
    }

    /// - Parameters:
    ///   - running: the builds running on the worker now, by any id the caller keeps (the
    ///     master uses request ids).
    ///   - told: the builds already asked to end (a retry takes a moment to land).
    /// - Returns: the builds to end now, and when to decide again (nil: at no set time).
    public func decide(running: [Int64], told: Set<Int64>, now: Date) -> (actions: [Action], nextCheck: Date?) {
        guard !running.isEmpty, let deadline = drain.deadline else { return ([], nil) }
        guard now >= deadline else { return ([], deadline) }
        let reason = "worker \(worker) drained by \(drain.requestedBy): the drain's deadline passed"
        return (running.filter { !told.contains($0) }.sorted().map { .retry($0, reason: reason) }, nil)
    }

    /// Whether the drain is complete: nothing runs on the worker any more.
    public static func isDrained(running: Int) -> Bool { running == 0 }
}
