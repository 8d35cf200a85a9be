import Foundation
import MinibotCore

extension AvailabilityPlugin {
    /// A build running on a configured worker, as the plugin tracks it for `while_unavailable`.
    struct TrackedBuild: Sendable {
        var info: BuildEventInfo
        var hold: BuildHoldPolicy.Hold?
        /// False once the master said the worker cannot hold it, or a retry was asked for.
        var canHold = true
    }

    /// Asks ``BuildHoldPolicy`` what the running builds of the named workers (nil: all) do
    /// under their verdicts now, and carries it out through the master.
    func applyHolds(_ workers: [String]?) async {
        let now = context.now()
        let plans = state.withLock { $0.holdActions(workers, now: now) }
        for (worker, actions) in plans {
            for action in actions { await perform(action, worker: worker, now: now) }
        }
    }

    private func perform(_ action: BuildHoldPolicy.Action, worker: String, now: Date) async {
        switch action {
        case .suspend(let request, let reason), .renice(let request, let reason):
            let isSuspend = if case .suspend = action { true } else { false }
            let held = await context.holdBuild(requestID: request, isSuspend ? .suspend(reason: reason) : .renice(reason: reason))
            let warn = state.withLock { state -> Bool in
                guard state.workers[worker]?.builds[request] != nil else { return false }
                if held {
                    state.workers[worker]?.builds[request]?.hold = .init(isSuspend ? .suspended : .reniced, since: now)
                    return false
                }
                state.workers[worker]?.builds[request]?.canHold = false
                return state.cannotHoldWarned.insert(worker).inserted
            }
            if held {
                context.log(.info, "\(isSuspend ? "suspended" : "reniced") the build of request \(request) on \(worker): \(reason)",
                            metadata: ["worker": worker])
            } else if warn {
                context.log(.warning, "while_unavailable: \(worker) cannot suspend or renice its builds (a stock buildbot-worker "
                            + "or an older minibot-worker): they finish", metadata: ["worker": worker])
            }
        case .resume(let request):
            _ = await context.holdBuild(requestID: request, .resume)
            state.withLock { $0.workers[worker]?.builds[request]?.hold = nil }
            context.log(.info, "resumed the build of request \(request) on \(worker)", metadata: ["worker": worker])
        case .retry(let request, let reason):
            state.withLock { $0.workers[worker]?.builds[request]?.canHold = false }
            context.log(.info, "the build of request \(request) on \(worker) ends RETRY: \(reason)", metadata: ["worker": worker])
            if !(await context.retryBuild(requestID: request, reason: reason)) {
                context.log(.warning, "could not retry the build of request \(request): it is not running here",
                            metadata: ["worker": worker])
            }
        }
    }

    /// A build started: tracked, and held at once if its worker is unavailable already.
    func buildStarted(_ info: BuildEventInfo) async {
        let known = state.withLock { state -> Bool in
            guard state.workers[info.worker] != nil else { return false }
            state.workers[info.worker]?.builds[info.requestID] = TrackedBuild(info: info)
            return true
        }
        if known { await applyHolds([info.worker]) }
    }

    func buildFinished(_ info: BuildEventInfo) {
        state.withLock { _ = $0.workers[info.worker]?.builds.removeValue(forKey: info.requestID) }
    }
}

extension AvailabilityPlugin.State {
    /// The hold decision for one worker's running builds at `now`.
    mutating func holdDecision(of worker: String, now: Date) -> BuildHoldPolicy.Decision? {
        guard let builds = workers[worker]?.builds, !builds.isEmpty,
              let verdict = availability(of: worker, now: now) else { return nil }
        let policy = BuildHoldPolicy(settings: configuration.settings(for: worker), displayTimeZone: displayZone)
        let running = builds.values.sorted { $0.info.requestID < $1.info.requestID }
            .map { BuildHoldPolicy.RunningBuild(requestID: $0.info.requestID, hold: $0.hold, canHold: $0.canHold) }
        return policy.decide(verdict: verdict, builds: running, now: now)
    }

    /// The hold actions of the named workers (nil: all), by worker.
    mutating func holdActions(_ names: [String]?, now: Date) -> [(worker: String, actions: [BuildHoldPolicy.Action])] {
        (names ?? order).compactMap { name in
            guard let actions = holdDecision(of: name, now: now)?.actions, !actions.isEmpty else { return nil }
            return (name, actions)
        }
    }

    /// The earliest `max_suspend` end among the held builds.
    mutating func nextHoldRecheck(now: Date) -> Date? {
        order.compactMap { holdDecision(of: $0, now: now)?.recheckAt }.min()
    }
}
