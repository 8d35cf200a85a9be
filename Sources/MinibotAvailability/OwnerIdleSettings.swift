import Foundation

/// `owner_idle: {after: 10m, mode: strict}`: no builds while someone is at the machine's
/// keyboard, the desktop rule HTCondor users rely on ("not while the owner is using it").
///
/// The worker is held back until its desktop session has been idle for ``after``; `strict`
/// makes it unavailable meanwhile, `advisory` ranks it last (used only when no other worker
/// can take the build). What "idle" means comes from the worker (``OwnerActivity``).
public struct OwnerIdleSettings: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        case strict, advisory
    }

    /// How long the session must have been idle, in seconds.
    public var after: Double
    public var mode: Mode

    public init(after: Double, mode: Mode = .strict) {
        self.after = after
        self.mode = mode
    }

    /// The state the worker has while its owner is active.
    public var state: AvailabilityState { mode == .strict ? .unavailable : .advisory }
}
