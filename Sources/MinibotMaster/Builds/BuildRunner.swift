import Foundation
import Logging
import MinibotCore
import MinibotProtocol
import MinibotStore
import Synchronization

/// Runs started builds: drives their steps one at a time on the worker's link, records
/// steps and logs in the store, folds results, and frees everything when a build ends.
///
/// The distributor hands it a ``BuildLaunch`` after it has reserved the worker slot, the
/// build's locks and any gate permits; the runner claims the request atomically and, from
/// then on, owns the build until it ends. A worker lost mid-build ends it as RETRY (its
/// request is pending again); a stop request interrupts the running step (CANCELLED).
final class BuildRunner: Sendable {
    private let store: any Store
    private let registry: WorkerRegistry
    private let locks: LockManager
    private let plugins: PluginHost
    let masterName: String
    /// The master directory: relative repository paths in steps are relative to it.
    private let directory: URL
    private let logger: Logger
    private let clock: any WallClock
    private let wake: @Sendable (String) -> Void
    private let config: Mutex<MasterConfig>
    private let active = Mutex<[Int64: ActiveBuild]>([:])
    /// Called with the request id when a launch could not claim its request.
    private let onClaimLost: @Sendable (Int64) -> Void

    /// What the runner knows of a running build, for stop requests and the API.
    struct ActiveBuild: Sendable {
        var build: Build
        var worker: String
        /// Where the build is and how it ends: every decision is this value's.
        var progress: BuildProgress
    }

    init(store: any Store, registry: WorkerRegistry, locks: LockManager, plugins: PluginHost, masterName: String,
         directory: URL, config: MasterConfig, logger: Logger, clock: any WallClock,
         wake: @escaping @Sendable (String) -> Void, onClaimLost: @escaping @Sendable (Int64) -> Void) {
        self.store = store
        self.registry = registry
        self.locks = locks
        self.plugins = plugins
        self.masterName = masterName
        self.directory = directory
        self.config = Mutex(config)
        self.logger = logger
        self.clock = clock
        self.wake = wake
        self.onClaimLost = onClaimLost
    }

    /// New builds use the new configuration; running builds keep the steps they started with.
    func apply(config newConfig: MasterConfig) {
        config.withLock { $0 = newConfig }
    }

    var runningBuilds: [ActiveBuild] { active.withLock { Array($0.values) } }

    /// The builds as the API shows them: a running build's state string is where its
    /// lifecycle is ("running step 2/5: compile"), which the store does not keep.
    func live(_ builds: [Build]) -> [Build] {
        active.withLock { map in
            builds.map { b in
                guard b.completedAt == nil, let progress = map[b.id]?.progress else { return b }
                var live = b
                live.stateString = progress.stateString
                return live
            }
        }
    }

    /// A launch whose request this master claimed: the build is recorded and may run.
    struct ClaimedBuild: Sendable {
        var launch: BuildLaunch
        var build: Build
        var builder: BuilderSpec
        var info: BuildEventInfo
        var log: Logger
        /// The properties the admin set in master.cfg, or the master derived from it: the
        /// others came from outside and are shell-quoted in command strings (``Interpolation``).
        var trusted: Set<String>
    }

    /// Claims the request and records the build; nil when the launch was undone (the builder
    /// is gone, or the request was claimed elsewhere). The distributor awaits it in its pass,
    /// so requests are claimed, numbered and started in serving order; ``run(_:)`` then runs
    /// the build in its own task.
    func claim(_ launch: BuildLaunch) async -> ClaimedBuild? {
        let started = clock.now()
        let cfg = config.withLock { $0 }
        guard let builder = cfg.builder(named: launch.request.builderName) else {
            logger.info("build launch abandoned: builder \(launch.request.builderName) no longer exists",
                        metadata: ["request": "\(launch.request.id)"])
            await launch.undo(locks: locks, registry: registry, wake: true)
            return nil
        }
        var properties = launch.request.properties
        let stamp = launch.request.sourceStamp
        properties["buildername"] = builder.name
        properties["workername"] = launch.worker
        properties["branch"] = stamp.branch ?? ""
        properties["revision"] = stamp.revision ?? ""
        properties["repository"] = stamp.repository
        properties["project"] = stamp.project
        properties["reason"] = launch.request.reason
        properties["builddir"] = builder.name
        // Trusted: what the master sets from its own configuration, and master.cfg's own
        // properties unless a change or a forced build already set that name. The source stamp,
        // the reason and a request's properties come from outside (a forced build's `scheduler`
        // is overwritten by the master, so it is the master's).
        var trusted: Set<String> = ["buildername", "workername", "builddir", "buildnumber", "scheduler"]
        for (k, v) in builder.properties where properties[k] == nil { properties[k] = v; trusted.insert(k) }
        for (k, v) in cfg.worker(named: launch.worker)?.properties ?? [:] where properties[k] == nil {
            properties[k] = v
            trusted.insert(k)
        }

        let claimed: Build?
        do {
            claimed = try await store.startBuild(requestID: launch.request.id, master: masterName, worker: launch.worker,
                                                 at: started, properties: properties)
        } catch {
            logger.error("could not record a build start: \(error)", metadata: ["builder": "\(builder.name)"])
            await launch.undo(locks: locks, registry: registry, wake: false)
            await undoUnansweredStart(requestID: launch.request.id, log: logger)
            wake("the start of request \(launch.request.id) is tried again")
            return nil
        }
        guard var build = claimed else {
            logger.info("build launch abandoned: the request was claimed elsewhere", metadata: ["request": "\(launch.request.id)"])
            await launch.undo(locks: locks, registry: registry, wake: true)
            onClaimLost(launch.request.id)
            return nil
        }
        build.properties["buildnumber"] = String(build.number)
        await locks.claimed(request: launch.request.id, build: build.id, label: "build \(build.number) of \(builder.name)")
        let log = logger.with("builder", builder.name).with("build", "\(build.id)").with("number", "\(build.number)").with(worker: launch.worker)
        log.info("build started", metadata: ["request": "\(launch.request.id)"])
        active.withLock {
            $0[build.id] = ActiveBuild(build: build, worker: launch.worker,
                                       progress: BuildProgress(steps: builder.steps.map(BuildProgress.Step.init)))
        }
        let info = BuildEventInfo(buildID: build.id, number: build.number, requestID: launch.request.id,
                                  builder: builder.name, worker: launch.worker, time: started)
        plugins.publish(.buildStarted(info))
        return ClaimedBuild(launch: launch, build: build, builder: builder, info: info, log: log, trusted: trusted)
    }

    /// Runs a claimed build to its end and frees what it held.
    func run(_ claimed: ClaimedBuild) async {
        let (launch, builder, info, log) = (claimed.launch, claimed.builder, claimed.info, claimed.log)
        var build = claimed.build
        let stamp = launch.request.sourceStamp
        var trusted = claimed.trusted
        let (result, state) = await runSteps(builder: builder, build: &build, trusted: &trusted, stamp: stamp,
                                             worker: launch.worker, log: log)

        let properties = build.properties
        let buildID = build.id
        let endedAt = clock.now()
        do {
            // The end completes the request: written again until it lands or the claim is
            // found lost, or a database restart would leave the request claimed for ever.
            let ended = try await persistently("the end of the build", log: log) { [store] in
                try await store.finishBuild(id: buildID, results: result, stateString: state, at: endedAt,
                                            properties: properties)
            }
            if !ended { log.warning("the end of the build was not recorded: its claim was lost") }
        } catch {
            log.error("could not record the end of the build: \(error)")
        }
        active.withLock { _ = $0.removeValue(forKey: build.id) }
        await locks.release(.build(build.id))
        for (gate, permit) in launch.permits { await gate.released(permit, result: result) }
        await registry.release(launch.worker, build: launch.reservation)
        plugins.publish(.buildFinished(info, result))
        log.info("build finished", metadata: ["result": "\(result.name)"])
        wake("build \(builder.name) #\(build.number) finished")
    }

    /// A build start whose answer was lost (the connection cut by a database restart) may
    /// have been committed: a build recorded for this master that nothing runs would hold the
    /// request claimed for ever. Such a build ends RETRY, which releases the claim, and the
    /// request is tried again like any pending one.
    private func undoUnansweredStart(requestID: Int64, log: Logger) async {
        do {
            let orphans = try await persistently("the builds of request \(requestID)", log: log) { [store, masterName] in
                try await store.runningBuilds(master: masterName).filter { $0.buildRequestID == requestID }
            }
            for orphan in orphans where active.withLock({ $0[orphan.id] == nil }) {
                let ended = try await persistently("the end of an unanswered start", log: log) { [store, clock] in
                    try await store.finishBuild(id: orphan.id, results: .retry,
                                                stateString: "its start was not confirmed (database connection lost)",
                                                at: clock.now(), properties: orphan.properties)
                }
                log.warning("a build start whose answer was lost ended RETRY", metadata: [
                    "request": "\(requestID)", "build": "\(orphan.id)", "recorded": "\(ended)"])
            }
        } catch {
            log.error("could not check for a build start whose answer was lost: \(error)",
                      metadata: ["request": "\(requestID)"])
        }
    }

    /// How long a write that must land (a build's end) is tried again while the database
    /// fails: long enough for a server restart or a failover.
    static let persistentWriteLimit: Double = 600

    /// Runs `write` again while it fails for another reason than a lost claim (the database
    /// restarting, a connection cut), after 0.1 s, then twice as long each time up to 5 s, for
    /// at most ``persistentWriteLimit``; a lost claim or the last failure is thrown.
    private func persistently<T: Sendable>(_ what: String, log: Logger,
                                           _ write: @Sendable () async throws -> T) async throws -> T {
        let giveUp = clock.now().addingTimeInterval(Self.persistentWriteLimit)
        var delay = 0.1
        while true {
            do {
                return try await write()
            } catch let error as StoreError where error.isClaimLost {
                throw error
            } catch {
                guard clock.now() < giveUp, !Task.isCancelled else { throw error }
                log.warning("could not record \(what), trying again in \(delay) s: \(error)")
                try? await clock.sleep(seconds: delay)
                delay = min(delay * 2, 5)
            }
        }
    }

    /// Stops a running build: the current step is interrupted (or its lock wait abandoned)
    /// and the build ends CANCELLED, or RETRY when `retry` asks for a rerun. Returns false
    /// when the build is not running here.
    func stop(buildID: Int64, reason: String, retry: Bool = false) async -> Bool {
        guard let actions = handle(buildID, .stopRequested(retry ? .retry : .cancel, reason: reason)) else {
            return false
        }
        for action in actions { await perform(action, buildID: buildID) }
        return true
    }

    /// Stops the running build of a request so that it runs again: it ends RETRY and its
    /// request is pending again. False when no build of that request runs here.
    func retry(requestID: Int64, reason: String) async -> Bool {
        let buildID = active.withLock { map in map.first { $0.value.build.buildRequestID == requestID }?.key }
        guard let buildID else { return false }
        return await stop(buildID: buildID, reason: reason, retry: true)
    }

    /// Holds the running build of a request while its worker is unavailable (the plugin
    /// decided, see ``BuildHold``): the worker suspends or renices its steps and the state
    /// string says why until it is resumed. False when no build of that request runs here or
    /// its worker cannot hold steps (a stock buildbot-worker, an older Minibot worker).
    func hold(requestID: Int64, _ hold: BuildHold) async -> Bool {
        let found = active.withLock { map in
            map.first { $0.value.build.buildRequestID == requestID }.map { ($0.key, $0.value.worker, $0.value.build) }
        }
        guard let (buildID, worker, build) = found, let link = await registry.link(worker) else { return false }
        let mode: StepHold
        switch hold {
        case .suspend: mode = .suspend
        case .renice: mode = .renice
        case .resume: mode = .resume
        }
        guard link.hold(buildID: buildID, mode: mode) else { return false }
        let state = active.withLock { map -> String? in
            map[buildID]?.progress.held(hold.stateText)
            return map[buildID]?.progress.stateString
        }
        guard let state else { return true }
        logger.with("builder", build.builderName).with("build", "\(build.id)").with("number", "\(build.number)").with(worker: worker)
            .info("build \(mode.rawValue): \(state)")
        plugins.events.record(.buildHeld, ["buildid": .number(Double(buildID)), "buildrequestid": .number(Double(requestID)),
                                           "builder": .string(build.builderName),
                                           "number": .number(Double(build.number)), "hold": .string(mode.rawValue),
                                           "state_string": .string(state)])
        return true
    }

    /// Stops every build running here so that it runs again (RETRY): this master was declared
    /// dead, so its claims were released and another master may be building them already.
    /// Their steps are interrupted on the workers, and their slots, locks and host-agent
    /// leases are given back at once instead of at the builds' next refused write. Returns
    /// how many were stopped.
    func retryAll(reason: String) async -> Int {
        let ids = active.withLock { Array($0.keys) }.sorted()
        var stopped = 0
        for id in ids where await stop(buildID: id, reason: reason, retry: true) { stopped += 1 }
        return stopped
    }

    // MARK: steps

    /// Feeds an event to a running build's lifecycle; nil when the build is not running here.
    private func handle(_ buildID: Int64, _ event: BuildProgress.Event) -> [BuildProgress.Action]? {
        active.withLock { map in map[buildID]?.progress.handle(event) }
    }

    /// The context a step needs while the build runs.
    private struct StepContext {
        var builder: BuilderSpec
        var stamp: SourceStamp
        var worker: String
        var log: Logger
    }

    /// Carries out the lifecycle's actions until it says the build is over.
    private func runSteps(builder: BuilderSpec, build: inout Build, trusted: inout Set<String>, stamp: SourceStamp,
                          worker: String, log: Logger) async -> (BuildResult, String) {
        let context = StepContext(builder: builder, stamp: stamp, worker: worker, log: log)
        var actions = handle(build.id, .started) ?? []
        // The step whose locks are held: they are given back as soon as it ends.
        var lockedStep: Int?
        while !actions.isEmpty {
            let action = actions.removeFirst()
            let event: BuildProgress.Event?
            switch action {
            case .finish(let result, let state):
                if let step = lockedStep { await locks.release(.step(build: build.id, step: step)) }
                lockedStep = nil
                return (result, state)
            case .runStep(let index):
                event = await runStep(index, build: &build, trusted: &trusted, context)
                if lockedStep == index { await locks.release(.step(build: build.id, step: index)) }
                lockedStep = nil
            case .acquireLocks(let index):
                event = await acquireLocks(index, build: build, context)
                if event == .locksGranted { lockedStep = index }
            case .interruptStep, .abandonLockWait:
                await perform(action, buildID: build.id)
                event = nil  // the step's own outcome (or the lock wait's end) follows
            }
            if let event { actions += handle(build.id, event) ?? [] }
        }
        // The lifecycle always ends with `finish`; reaching here means the build vanished.
        if let step = lockedStep { await locks.release(.step(build: build.id, step: step)) }
        return (.exception, "build state lost")
    }

    /// Carries out an action that comes from outside the build's own loop (a stop).
    private func perform(_ action: BuildProgress.Action, buildID: Int64) async {
        switch action {
        case .interruptStep(let step, let reason):
            let worker = active.withLock { $0[buildID]?.worker }
            if let worker, let link = await registry.link(worker) {
                link.interrupt(buildID: buildID, step: step, reason: reason)
            }
        case .abandonLockWait(let step):
            await locks.abandonStep(.step(build: buildID, step: step))
        case .runStep, .acquireLocks, .finish:
            break  // only the build's own loop carries these out
        }
    }

    /// Runs one step on the worker and records it; answers how it ended.
    private func runStep(_ index: Int, build: inout Build, trusted: inout Set<String>,
                         _ context: StepContext) async -> BuildProgress.Event {
        let spec = context.builder.steps[index]
        guard let link = await registry.link(context.worker) else {
            return .workerLost(worker: context.worker)
        }
        do {
            try await store.startStep(BuildStep(buildID: build.id, number: index, name: spec.name,
                                                startedAt: clock.now(), stateString: "running"))
        } catch let error as StoreError where error.isClaimLost {
            // Fenced out: the request is someone else's now; run nothing more for it.
            context.log.warning("build stopped: \(error)")
            return .claimLost
        } catch {
            context.log.error("could not record a step start: \(error)")
        }
        plugins.events.record(.stepStarted, ["buildid": .number(Double(build.id)), "step": .number(Double(index)),
                                               "name": .string(spec.name)])
        let message: MasterMessage.StartStep
        switch startMessage(for: spec, index: index, builder: context.builder, build: build, trusted: trusted,
                            stamp: context.stamp, log: context.log) {
        case .success(let m): message = m
        case .failure(let refusal):
            // A value from outside that no quoting makes safe where it sits: the step does
            // not run rather than hand the shell text it might read as commands.
            try? await store.appendLog(buildID: build.id, step: index, stream: .header, text: "\(refusal.message)\n")
            try? await store.finishStep(buildID: build.id, number: index, results: .exception,
                                        stateString: "refused: unsafe property", at: clock.now())
            plugins.events.record(.stepFinished, ["buildid": .number(Double(build.id)), "step": .number(Double(index)),
                                                    "name": .string(spec.name),
                                                    "results": .number(Double(BuildResult.exception.rawValue))])
            return .stepFinished(.exception)
        }
        let writer = StepLogWriter(store: store, buildID: build.id, step: index, events: plugins.events, clock: clock,
                                   logger: context.log)
        let outcome: WorkerMessage.StepFinished
        do {
            outcome = try await link.runStep(message) { output in
                await writer.append(output.stream, output.payload)
            }
            await writer.flush()
        } catch {
            await writer.flush()
            try? await store.appendLog(buildID: build.id, step: index, stream: .header,
                                       text: "worker \(context.worker) lost during this step; the build will be retried\n")
            try? await store.finishStep(buildID: build.id, number: index, results: .retry,
                                        stateString: "worker lost", at: clock.now())
            return .workerLost(worker: context.worker)
        }
        for (k, v) in outcome.properties {
            build.properties[k] = v
            trusted.remove(k)  // a worker's word, like a change's
        }
        if let reason = outcome.reason {
            try? await store.appendLog(buildID: build.id, step: index, stream: .header, text: "\(reason)\n")
        }
        let stepState = BuildProgress.stepStateString(name: spec.name, result: outcome.result,
                                                      exitCode: outcome.exitCode, signal: outcome.signal)
        try? await store.finishStep(buildID: build.id, number: index, results: outcome.result,
                                    stateString: stepState, at: clock.now())
        plugins.events.record(.stepFinished, ["buildid": .number(Double(build.id)), "step": .number(Double(index)),
                                                "name": .string(spec.name),
                                                "results": .number(Double(outcome.result.rawValue))])
        return .stepFinished(outcome.result)
    }

    /// Takes a step's locks before it starts, waiting for them if needed: the wait shows in
    /// the log and the event stream, and a stop ends it.
    private func acquireLocks(_ index: Int, build: Build, _ context: StepContext) async -> BuildProgress.Event {
        let spec = context.builder.steps[index]
        let buildID = build.id
        let label = "build \(build.number) of \(build.builderName)"
        let granted = await locks.acquireStep(spec.locks, worker: context.worker,
                                              owner: .step(build: buildID, step: index), label: label) { reason in
            // A stop that came before the wait began ends it here; a later one abandons it.
            let keepWaiting = active.withLock { $0[buildID]?.progress.stopRequest == nil }
            if keepWaiting {
                context.log.info("step \(spec.name) \(reason)")
                plugins.events.record(.stepWaitingForLock, [
                    "buildid": .number(Double(buildID)), "step": .number(Double(index)),
                    "name": .string(spec.name), "reason": .string(reason)])
            }
            return keepWaiting
        }
        return granted ? .locksGranted : .lockWaitAbandoned
    }

    /// Why a step was not sent to its worker.
    private struct StepRefusal: Error {
        var message: String
    }

    private func startMessage(for spec: StepSpec, index: Int, builder: BuilderSpec, build: Build, trusted: Set<String>,
                              stamp: SourceStamp, log: Logger) -> Result<MasterMessage.StartStep, StepRefusal> {
        let rendered = Interpolation(properties: build.properties, trusted: trusted).render(spec)
        if !rendered.missing.isEmpty || !rendered.problems.isEmpty {
            log.notice("step \(spec.name): interpolation", metadata: [
                "missing": "\(rendered.missing)", "problems": "\(rendered.problems)"])
        }
        if !rendered.refused.isEmpty {
            log.warning("step \(spec.name) not run: \(rendered.refused.joined(separator: "; "))")
            return .failure(StepRefusal(message: "step not run: " + rendered.refused.joined(separator: "; ")))
        }
        let step = rendered.value
        var action = StepCommand(step.action)
        if case .git(var git) = action {
            // Git's rules for what is a path, with paths relative to the master directory.
            git.repository = RepositoryAddress(git.repository).resolved(relativeTo: directory.standardizedFileURL.path)
            action = .git(git)
        }
        var branch: String? = stamp.branch.flatMap { $0.isEmpty ? nil : $0 }
        if case .git(let g) = step.action, branch == nil { branch = g.branch }
        return .success(MasterMessage.StartStep(
            buildID: build.id, step: index, builder: builder.name, name: step.name,
            workdir: "\(builder.name)/\(step.workdir ?? "build")", action: action, env: step.env,
            timeout: step.timeout, revision: stamp.revision.flatMap { $0.isEmpty ? nil : $0 }, branch: branch))
    }
}
