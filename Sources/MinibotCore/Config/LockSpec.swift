/// A `locks:` entry: the lock's identity in configuration, separate from the runtime lock.
public struct LockSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, Codable {
        /// One lock for the whole master.
        case master
        /// One lock per worker.
        case worker
    }

    public var name: String
    public var kind: Kind
    public var maxCount: Int
    /// Per-worker overrides of `maxCount` for worker locks.
    public var maxCountForWorker: [String: Int]

    public init(name: String, kind: Kind = .master, maxCount: Int = 1, maxCountForWorker: [String: Int] = [:]) {
        self.name = name
        self.kind = kind
        self.maxCount = maxCount
        self.maxCountForWorker = maxCountForWorker
    }

    /// The capacity of this lock on `worker` (the master-wide capacity for master locks).
    public func capacity(on worker: String?) -> Int {
        guard kind == .worker, let worker, let c = maxCountForWorker[worker] else { return maxCount }
        return c
    }
}

/// A builder's or step's use of a lock: `{name: cpu, access: exclusive}`.
public struct LockAccess: Sendable, Equatable, Codable, Hashable {
    public enum Mode: String, Sendable, Equatable, Codable, Hashable {
        case counting
        case exclusive
    }

    public var name: String
    public var access: Mode

    public init(name: String, access: Mode = .counting) {
        self.name = name
        self.access = access
    }
}
