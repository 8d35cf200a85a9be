/// One hold on a runtime lock.
public struct LockHolder: Sendable, Hashable {
    public var owner: LockOwner
    public var mode: LockAccess.Mode
    /// How waiting reasons name the holder (e.g. `build test #12`); nil: ``LockOwner/description``.
    public var label: String?

    public init(owner: LockOwner, mode: LockAccess.Mode, label: String? = nil) {
        self.owner = owner
        self.mode = mode
        self.label = label
    }

    /// The words used in waiting reasons.
    public var displayName: String { label ?? owner.description }
}
