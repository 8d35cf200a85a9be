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
    private let now: @Sendable () -> Date
    private let wake: @Sendable (String) -> Void
    private let config: Mutex<MasterConfig>
    private let active = Mutex<[Int64: ActiveBuild]>([:])
    /// Called with the request id when a launch could not claim its request.
    private let onClaimLost: @Sendable (Int64) -> Void

    /// What the runner knows of a running build, for stop requests and the API.
    struct ActiveBuild: Sendable {
        var build: Build
        var worker: String
        var currentStep: Int?
        var isCancelled = false
        var cancelReason: String?
        /// The stop asked for the build to run again (RETRY, request pending again), not CANCELLED.
        var retryOnStop = false
        /// The step waiting for its locks, if any (a stop abandons that wait).
        var lockWait: LockOwner?
    }

    init(store: any Store, registry: WorkerRegistry, locks: LockManager, plugins: PluginHost, masterName: String,
         directory: URL, config: MasterConfig, logger: Logger, now: @escaping @Sendable () -> Date,
         wake: @escaping @Sendable (String) -> Void, onClaimLost: @escaping @Sendable (Int64) -> Void) {
        self.store = store
        self.registry = registry
        self.locks = locks
        self.plugins = plugins
        self.masterName = masterName
        self.directory = directory
        self.config = Mutex(config)
        self.logger = logger
        self.now = now
        self.wake = wake
        self.onClaimLost = onClaimLost
    }

    /// New builds use the new configuration; running builds keep the steps they started with.
    func apply(config newConfig: MasterConfig) {
        config.withLock { $0 = newConfig }
    }

    var runningBuilds: [ActiveBuild] { active.withLock { Array($0.values) } }

    /// Claims the request and runs the build to its end.
    func run(_ launch: BuildLaunch) async {
        let started = now()
        let cfg = config.withLock { $0 }
        guard let builder = cfg.builder(named: launch.request.builderName) else {
            await abandon(launch, reason: "builder \(launch.request.builderName) no longer exists")
            return
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
        for (k, v) in builder.properties where properties[k] == nil { properties[k] = v }
        for (k, v) in cfg.worker(named: launch.worker)?.properties ?? [:] where properties[k] == nil { properties[k] = v }

        let claimed: Build?
        do {
            claimed = try await store.startBuild(requestID: launch.request.id, master: masterName, worker: launch.worker,
                                                 at: started, properties: properties)
        } catch {
            logger.error("could not record a build start: \(error)", metadata: ["builder": "\(builder.name)"])
            claimed = nil
        }
        guard var build = claimed else {
            await abandon(launch, reason: "request \(launch.request.id) was claimed elsewhere")
            onClaimLost(launch.request.id)
            return
        }
        build.properties["buildnumber"] = String(build.number)
        await locks.claimed(request: launch.request.id, build: build.id, label: "build \(build.number) of \(builder.name)")
        let log = logger.with("builder", builder.name).with("build", "\(build.number)").with(worker: launch.worker)
        log.info("build started", metadata: ["request": "\(launch.request.id)"])
        active.withLock { $0[build.id] = ActiveBuild(build: build, worker: launch.worker) }
        let info = BuildEventInfo(buildID: build.id, number: build.number, requestID: launch.request.id,
                                  builder: builder.name, worker: launch.worker, time: started)
        plugins.publish(.buildStarted(info))

        let (result, state) = await runSteps(builder: builder, build: &build, stamp: stamp, worker: launch.worker, log: log)

        do {
            try await store.finishBuild(id: build.id, results: result, stateString: state, at: now(),
                                        properties: build.properties)
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

    /// Stops a running build: the current step is interrupted and the build ends CANCELLED.
    /// Returns false when the build is not running here.
    func stop(buildID: Int64, reason: String, retry: Bool = false) async -> Bool {
        guard let (worker, step, lockWait) = active.withLock({ map -> (String, Int?, LockOwner?)? in
            guard var b = map[buildID] else { return nil }
            b.isCancelled = true
            b.cancelReason = reason
            b.retryOnStop = retry
            map[buildID] = b
            return (b.worker, b.currentStep, b.lockWait)
        }) else { return false }
        if let lockWait { await locks.abandonStep(lockWait) }
        if let step, let link = await registry.link(worker) {
            link.send(.interrupt(buildID: buildID, step: step, reason: reason))
        }
        return true
    }

    /// Stops the running build of a request so that it runs again: it ends RETRY and its
    /// request is pending again. False when no build of that request runs here.
    func retry(requestID: Int64, reason: String) async -> Bool {
        let buildID = active.withLock { map in map.first { $0.value.build.buildRequestID == requestID }?.key }
        guard let buildID else { return false }
        return await stop(buildID: buildID, reason: reason, retry: true)
    }

    // MARK: steps

    private func runSteps(builder: BuilderSpec, build: inout Build, stamp: SourceStamp, worker: String,
                          log: Logger) async -> (BuildResult, String) {
        var buildResult = BuildResult.success
        var state = "build successful"
        for (index, spec) in builder.steps.enumerated() {
            if let stopped = stopped(build.id) { return stopped }
            guard let link = await registry.link(worker) else {
                return (.retry, "worker \(worker) lost")
            }
            let stepOwner = LockOwner.step(build: build.id, step: index)
            if !spec.locks.isEmpty,
               !(await acquireLocks(of: spec, index: index, owner: stepOwner, build: build, worker: worker, log: log)) {
                return stopped(build.id, while: "while \(spec.name) waited for a lock")
                    ?? (.cancelled, "cancelled while \(spec.name) waited for a lock: stopped")
            }
            let stepStart = now()
            try? await store.startStep(BuildStep(buildID: build.id, number: index, name: spec.name,
                                                 startedAt: stepStart, stateString: "running"))
            active.withLock { $0[build.id]?.currentStep = index }
            plugins.events.record("step_started", ["buildid": .number(Double(build.id)), "step": .number(Double(index)),
                                                   "name": .string(spec.name)])
            let message = startMessage(for: spec, index: index, builder: builder, build: build, stamp: stamp, log: log)
            let writer = StepLogWriter(store: store, buildID: build.id, step: index, events: plugins.events, logger: log)
            let outcome: WorkerMessage.StepFinished
            do {
                outcome = try await link.runStep(message) { output in
                    await writer.append(output.stream, output.payload)
                }
                await writer.flush()
            } catch {
                await writer.flush()
                if !spec.locks.isEmpty { await locks.release(stepOwner) }
                try? await store.appendLog(buildID: build.id, step: index, stream: .header,
                                           text: "worker \(worker) lost during this step; the build will be retried\n")
                try? await store.finishStep(buildID: build.id, number: index, results: .retry,
                                            stateString: "worker lost", at: now())
                return (.retry, "worker \(worker) lost")
            }
            if !spec.locks.isEmpty { await locks.release(stepOwner) }
            active.withLock { $0[build.id]?.currentStep = nil }
            for (k, v) in outcome.properties { build.properties[k] = v }
            let stepState = describe(outcome, spec: spec)
            if let reason = outcome.reason {
                try? await store.appendLog(buildID: build.id, step: index, stream: .header, text: "\(reason)\n")
            }
            try? await store.finishStep(buildID: build.id, number: index, results: outcome.result,
                                        stateString: stepState, at: now())
            plugins.events.record("step_finished", ["buildid": .number(Double(build.id)), "step": .number(Double(index)),
                                                    "name": .string(spec.name),
                                                    "results": .number(Double(outcome.result.rawValue))])
            switch outcome.result {
            case .success, .skipped:
                continue
            case .cancelled:
                return stopped(build.id) ?? (.cancelled, "cancelled: interrupted")
            case .retry:
                return (.retry, "retry requested by \(spec.name)")
            case .exception:
                return (.exception, "exception in \(spec.name)")
            case .warnings:
                buildResult = .worst(buildResult, .warnings)
                state = "warnings in \(spec.name)"
            case .failure:
                if spec.flunkOnFailure {
                    buildResult = .worst(buildResult, .failure)
                    state = "failed \(spec.name)"
                } else if spec.warnOnFailure {
                    buildResult = .worst(buildResult, .warnings)
                    state = "warnings in \(spec.name)"
                }
                if spec.haltOnFailure { return (buildResult, state) }
            }
        }
        return (buildResult, state)
    }

    /// Takes a step's locks before it starts, waiting for them if needed: the wait shows in
    /// the log and the event stream, and a stop ends it (false).
    private func acquireLocks(of spec: StepSpec, index: Int, owner: LockOwner, build: Build, worker: String,
                              log: Logger) async -> Bool {
        let buildID = build.id
        let label = "build \(build.number) of \(build.builderName)"
        let granted = await locks.acquireStep(spec.locks, worker: worker, owner: owner, label: label) { reason in
            let keepWaiting = active.withLock { map -> Bool in
                guard map[buildID]?.isCancelled == false else { return false }
                map[buildID]?.lockWait = owner
                return true
            }
            if keepWaiting {
                log.info("step \(spec.name) \(reason)")
                plugins.events.record("step_waiting_for_lock", [
                    "buildid": .number(Double(buildID)), "step": .number(Double(index)),
                    "name": .string(spec.name), "reason": .string(reason)])
            }
            return keepWaiting
        }
        active.withLock { $0[buildID]?.lockWait = nil }
        return granted
    }

    /// How a stopped build ends: CANCELLED, or RETRY when the stop asked for a rerun; nil
    /// when nobody stopped it.
    private func stopped(_ buildID: Int64, while context: String? = nil) -> (BuildResult, String)? {
        active.withLock { map -> (BuildResult, String)? in
            guard let b = map[buildID], b.isCancelled else { return nil }
            let reason = b.cancelReason ?? "stopped"
            let when = context.map { " \($0)" } ?? ""
            return b.retryOnStop ? (.retry, "stopped to run again\(when): \(reason)") : (.cancelled, "cancelled\(when): \(reason)")
        }
    }

    private func startMessage(for spec: StepSpec, index: Int, builder: BuilderSpec, build: Build,
                              stamp: SourceStamp, log: Logger) -> MasterMessage.StartStep {
        let rendered = Interpolation(properties: build.properties).render(spec)
        if !rendered.missing.isEmpty || !rendered.problems.isEmpty {
            log.notice("step \(spec.name): interpolation", metadata: [
                "missing": "\(rendered.missing)", "problems": "\(rendered.problems)"])
        }
        let step = rendered.value
        var action = step.action
        if case .git(var git) = action {
            git.repository = PollerService.resolve(git.repository, in: directory)
            action = .git(git)
        }
        var branch: String? = stamp.branch.flatMap { $0.isEmpty ? nil : $0 }
        if case .git(let g) = step.action, branch == nil { branch = g.branch }
        return MasterMessage.StartStep(
            buildID: build.id, step: index, builder: builder.name, name: step.name,
            workdir: "\(builder.name)/\(step.workdir ?? "build")", action: action, env: step.env,
            timeout: step.timeout, revision: stamp.revision.flatMap { $0.isEmpty ? nil : $0 }, branch: branch)
    }

    private func describe(_ outcome: WorkerMessage.StepFinished, spec: StepSpec) -> String {
        switch outcome.result {
        case .success: return "\(spec.name) done"
        case .cancelled: return "\(spec.name) cancelled"
        case .failure:
            if let code = outcome.exitCode { return "\(spec.name) failed (exit code \(code))" }
            if let sig = outcome.signal { return "\(spec.name) failed (signal \(sig))" }
            return "\(spec.name) failed"
        default: return "\(spec.name) \(outcome.result.name.lowercased())"
        }
    }

    /// A launch that never became a build gives back what the distributor reserved.
    private func abandon(_ launch: BuildLaunch, reason: String) async {
        logger.info("build launch abandoned: \(reason)", metadata: ["request": "\(launch.request.id)"])
        await locks.release(.request(launch.request.id))
        for (gate, permit) in launch.permits { await gate.released(permit, result: nil) }
        await registry.release(launch.worker, build: launch.reservation)
    }
}

/// Everything the distributor reserved for one build before handing it to the runner.
struct BuildLaunch: Sendable {
    var request: BuildRequest
    var worker: String
    /// The worker-slot reservation id (negative: not yet a build id).
    var reservation: Int64
    var permits: [(any BuildStartGate, Permit)]
}
