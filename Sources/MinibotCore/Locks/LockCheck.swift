/// Whether a set of lock accesses can be taken now.
///
/// "Lock busy" is a value, never an error: the distributor shows the reason on the pending
/// request and tries again when a lock is released.
public enum LockCheck: Sendable, Equatable {
    case granted
    /// `lock` is the first lock that is not free; `reason` is what a user reads, e.g.
    /// `waiting for lock cpu (held by build 12)`.
    case blocked(lock: LockKey, reason: String)

    public var isGranted: Bool { self == .granted }

    /// The reason when blocked, nil when granted.
    public var reason: String? {
        if case .blocked(_, let reason) = self { return reason }
        return nil
    }
}
