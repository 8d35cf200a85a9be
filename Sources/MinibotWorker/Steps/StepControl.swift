import Foundation
import Synchronization

/// The handle that stops one running step: from an `interrupt`, a timeout, or the link
/// dropping.
///
/// Shared between the step's task (which registers the process group or a cancel hook once
/// the step has started) and whoever stops it, on any thread; a `Mutex` because a stop can
/// arrive before the step has a process, and the two must not miss each other.
public final class StepControl: Sendable {
    /// Why a step was stopped; the first reason wins.
    public enum StopReason: Sendable, Equatable {
        case interrupted(String)
        case timedOut(Double)
    }

    private struct State {
        var processGroup: pid_t?
        var cancelHook: (@Sendable () -> Void)?
        var stopReason: StopReason?
    }

    private let state = Mutex(State())

    public init() {}

    /// Why the step was stopped, if it was.
    public var stopReason: StopReason? { state.withLock { $0.stopReason } }

    /// Stops the step: kills its process group (or runs its cancel hook). Later calls keep
    /// the first reason but kill again, which is harmless.
    public func stop(_ reason: StopReason) {
        let (group, hook) = state.withLock { s -> (pid_t?, (@Sendable () -> Void)?) in
            if s.stopReason == nil { s.stopReason = reason }
            return (s.processGroup, s.cancelHook)
        }
        if let group { Self.killGroup(group) }
        hook?()
    }

    /// Records the step's process group; kills it at once if a stop came first.
    func attach(processGroup: pid_t) {
        let stopped = state.withLock { s -> Bool in
            s.processGroup = processGroup
            return s.stopReason != nil
        }
        if stopped { Self.killGroup(processGroup) }
    }

    /// Records how to cancel a step that has no process (a checkout); runs it at once if a
    /// stop came first.
    func attach(cancelHook: @escaping @Sendable () -> Void) {
        let stopped = state.withLock { s -> Bool in
            s.cancelHook = cancelHook
            return s.stopReason != nil
        }
        if stopped { cancelHook() }
    }

    /// SIGKILL to the whole group: the step's leader and everything it started that did not
    /// leave the group (background jobs, daemons that did not call setsid).
    static func killGroup(_ group: pid_t) {
        guard group > 1 else { return }
        _ = kill(-group, SIGKILL)
    }
}
