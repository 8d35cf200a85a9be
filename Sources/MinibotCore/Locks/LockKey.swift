/// One runtime lock: a configured lock name, on one worker for worker locks, or master-wide.
///
/// The configuration names a lock once (``LockSpec``); at run time a worker lock is as many
/// independent locks as there are workers, so its identity carries the worker.
public struct LockKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    /// The worker for a worker lock; nil for a master lock.
    public var worker: String?

    public init(name: String, worker: String? = nil) {
        self.name = name
        self.worker = worker
    }

    /// `cpu` for a master lock, `cpu on w1` for a worker lock.
    public var description: String {
        guard let worker else { return name }
        return "\(name) on \(worker)"
    }
}
