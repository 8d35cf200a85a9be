import Foundation
import MinibotCore
import MinibotProtocol
import Synchronization
#if os(Linux)
import CStepSupervisor
#endif

/// The handle that stops or holds one running step: from an `interrupt`, a `hold`, a
/// timeout, or the link dropping.
///
/// Shared between the step's task (which registers the process group or a cancel hook once
/// the step has started) and whoever stops or holds it, on any thread; a `Mutex` because a
/// stop or a hold can arrive before the step has a process, and the two must not miss each
/// other.
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
        /// Since when the step is stopped (SIGSTOP) for its unavailable worker; nil: running.
        var suspendedSince: ContinuousClock.Instant?
        /// The time spent suspended before, which the step's timeout does not count.
        var suspendedBefore: Duration = .zero
        var isReniced = false
        /// Who waits for the step to be resumed (or stopped) before starting it.
        var resumeWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let clock = ContinuousClock()

    public init() {}

    /// Why the step was stopped, if it was.
    public var stopReason: StopReason? { state.withLock { $0.stopReason } }

    /// Whether the step is suspended now.
    public var isSuspended: Bool { state.withLock { $0.suspendedSince != nil } }

    /// Whether the step's group was lowered to the lowest priority (it stays so).
    public var isReniced: Bool { state.withLock { $0.isReniced } }

    /// Stops the step: kills its process group (or runs its cancel hook). Later calls keep
    /// the first reason but kill again, which is harmless. A suspended group dies too
    /// (SIGKILL reaches stopped processes); it is continued after, which is harmless.
    public func stop(_ reason: StopReason) {
        let (group, hook, waiters, wasSuspended) = state.withLock { s in
            if s.stopReason == nil { s.stopReason = reason }
            let waiters = s.resumeWaiters
            s.resumeWaiters.removeAll()
            return (s.processGroup, s.cancelHook, waiters, s.suspendedSince != nil)
        }
        if let group {
            Self.killGroup(group)
            if wasSuspended { Self.signalGroup(group, SIGCONT) }
        }
        hook?()
        for waiter in waiters { waiter.resume() }
    }

    /// Holds or releases the step (``StepHold``); a step without a process yet gets the
    /// hold when it starts.
    public func hold(_ mode: StepHold) {
        let now = clock.now
        switch mode {
        case .suspend:
            let group = state.withLock { s -> pid_t? in
                guard s.suspendedSince == nil else { return nil }
                s.suspendedSince = now
                return s.processGroup
            }
            if let group { Self.signalGroup(group, SIGSTOP) }
        case .resume:
            let (group, waiters) = state.withLock { s -> (pid_t?, [CheckedContinuation<Void, Never>]) in
                guard let since = s.suspendedSince else { return (nil, []) }
                s.suspendedBefore += now - since
                s.suspendedSince = nil
                let waiters = s.resumeWaiters
                s.resumeWaiters.removeAll()
                return (s.processGroup, waiters)
            }
            if let group { Self.signalGroup(group, SIGCONT) }
            for waiter in waiters { waiter.resume() }
        case .renice:
            let group = state.withLock { s -> pid_t? in
                guard !s.isReniced else { return nil }
                s.isReniced = true
                return s.processGroup
            }
            if let group { Self.renice(group) }
        }
    }

    /// Returns once the step is not suspended (or was stopped): a step of a suspended build
    /// does not start.
    func waitWhileSuspended() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isHeld = state.withLock { s -> Bool in
                guard s.suspendedSince != nil, s.stopReason == nil else { return false }
                s.resumeWaiters.append(continuation)
                return true
            }
            if !isHeld { continuation.resume() }
        }
    }

    /// How many steps wait in ``waitWhileSuspended()`` (for tests: a step that did not start
    /// because it is held).
    var waitingToStart: Int { state.withLock { $0.resumeWaiters.count } }

    /// How long the step has run since `start`, leaving out the time it spent suspended:
    /// what its timeout compares.
    func runningTime(since start: ContinuousClock.Instant) -> Duration {
        let now = clock.now
        return state.withLock { s in
            let current = s.suspendedSince.map { now - $0 } ?? .zero
            return now - start - s.suspendedBefore - current
        }
    }

    /// Stops the step with ``StopReason/timedOut(_:)`` once it has run `timeout` seconds,
    /// suspended time left out; returns early when the task is cancelled (the step ended).
    /// The timeout comes from the master's message: one that is not finite is no timeout, and
    /// one past ``DurationText/maximum`` waits that long (`Duration.seconds` traps on 1e300).
    func enforce(timeout: Double, since start: ContinuousClock.Instant) async {
        guard timeout.isFinite else { return }
        let limit = Duration.seconds(min(max(timeout, 0), DurationText.maximum))
        while !Task.isCancelled {
            let left = limit - runningTime(since: start)
            if left <= .zero {
                if !isSuspended {
                    stop(.timedOut(timeout))
                    return
                }
            }
            // While suspended the running time stands still: sleeping what is left is enough.
            let nap = max(left, .milliseconds(100))
            guard (try? await Task.sleep(for: nap)) != nil else { return }
        }
    }

    /// Records the step's process group; kills it at once if a stop came first, holds it if
    /// a hold came first.
    func attach(processGroup: pid_t) {
        let (stopped, suspended, reniced) = state.withLock { s -> (Bool, Bool, Bool) in
            s.processGroup = processGroup
            return (s.stopReason != nil, s.suspendedSince != nil, s.isReniced)
        }
        if stopped { Self.killGroup(processGroup); return }
        if reniced { Self.renice(processGroup) }
        if suspended { Self.signalGroup(processGroup, SIGSTOP) }
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
        signalGroup(group, SIGKILL)
    }

    private static func signalGroup(_ group: pid_t, _ signal: Int32) {
        guard group > 1 else { return }
        _ = kill(-group, signal)
    }

    /// Nice 19 and the idle IO class for the whole group (Linux); elsewhere nice only.
    private static func renice(_ group: pid_t) {
        guard group > 1 else { return }
        #if os(Linux)
        _ = minibot_renice_group(group)
        #else
        _ = setpriority(PRIO_PGRP, id_t(group), 19)
        #endif
    }
}
