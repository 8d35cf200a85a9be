import DequeModule
import Foundation
import Logging
import MinibotCore
import MinibotStore
import ServiceLifecycle

/// The schedulers of `master.cfg`: `single_branch` ones turn changes into buildsets once
/// the tree has been stable long enough; `force` ones turn API calls into buildsets.
///
/// Its loop (``run()``) sleeps until the earliest tree-stable deadline, or until a change
/// arrives; a `tree_stable_timer` of 0 submits at once, without waiting for the loop.
actor SchedulerService: Service {
    private var config: MasterConfig
    private let store: any Store
    private let distributor: Distributor
    private let logger: Logger
    private let clock: any WallClock
    /// Per single-branch scheduler: the changes waiting for the tree to be stable.
    private var timers: [String: TreeStableTimer] = [:]
    private let signal: WakeSignal
    /// Which single-branch schedulers run here (several masters: one master each).
    private let jobs: JobOwnership
    /// Changes already looked at, newest last: with several masters a change reaches its
    /// schedulers from the intake and again as the database's wake-up; it counts once.
    private var seen = Set<Int64>()
    private var seenOrder = Deque<Int64>()
    private static let seenLimit = 10_000

    init(config: MasterConfig, store: any Store, distributor: Distributor, jobs: JobOwnership, logger: Logger,
         clock: any WallClock) {
        self.config = config
        self.store = store
        self.distributor = distributor
        self.jobs = jobs
        self.logger = logger
        self.clock = clock
        self.signal = WakeSignal(clock: clock)
    }

    func apply(config newConfig: MasterConfig) {
        config = newConfig
        let names = Set(newConfig.schedulers.map(\.name))
        timers = timers.filter { names.contains($0.key) }
        signal.wake("changed")
    }

    // MARK: force

    struct Failure: Error {
        var status: HTTPStatusCode
        var message: String
    }

    /// - Parameter owner: who forced it from the web UI (a logged-in user): recorded as the
    ///   `owner` property, as Buildbot's force scheduler does, and in the default reason.
    func force(builder: String, body: ForceRequestBody, owner: String? = nil) async -> Result<API.ForceResult, Failure> {
        guard let spec = config.builder(named: builder) else {
            let names = config.builders.map(\.name).joined(separator: ", ")
            return .failure(Failure(status: .notFound, message: "no builder named \(builder) (builders: \(names))"))
        }
        let forcers = config.schedulers.compactMap { s -> ForceSchedulerSpec? in
            if case .force(let f) = s, f.builders.contains(builder) { return f }
            return nil
        }
        guard let forcer = forcers.first else {
            return .failure(Failure(status: .forbidden,
                                    message: "no force scheduler lists builder \(builder); add it to a `force:` scheduler in master.cfg"))
        }
        let repository = body.repository ?? defaultRepository(for: spec)
        let stamp = SourceStamp(repository: repository, branch: body.branch, revision: body.revision)
        let reason = body.reason ?? owner.map { "forced by \($0)" } ?? "forced by the API"
        var properties = body.properties ?? [:]
        properties["scheduler"] = forcer.name
        if let owner { properties["owner"] = owner }
        let buildset = Buildset(reason: reason, schedulerName: forcer.name, sourceStamp: stamp,
                                properties: properties, submittedAt: clock.now())
        do {
            let (bs, requests) = try await store.addBuildset(buildset, builders: [builder], priority: body.priority ?? 0)
            await distributor.submitted(requests)
            logger.info("build forced", metadata: ["builder": "\(builder)", "buildset": "\(bs.id)"])
            return .success(API.ForceResult(buildsetid: bs.id, buildrequestids: requests.map(\.id)))
        } catch {
            return .failure(Failure(status: .internalServerError, message: "could not record the request: \(error)"))
        }
    }

    /// A new request for a finished build's builder with the same source and properties
    /// (Buildbot's rebuild), at the same priority, its reason naming the build and who asked.
    /// It keeps the original buildset's changes, so the new build shows what caused the old one.
    func rebuild(buildID: Int64, by user: String) async -> Result<API.ForceResult, Failure> {
        do {
            guard let build = try await store.build(id: buildID),
                  let request = try await store.request(id: build.buildRequestID) else {
                return .failure(Failure(status: .notFound, message: "no build \(buildID)"))
            }
            guard config.builder(named: build.builderName) != nil else {
                return .failure(Failure(status: .conflict, message: "builder \(build.builderName) is no longer in master.cfg"))
            }
            let original = try await store.buildset(id: request.buildsetID)
            let buildset = Buildset(reason: "rebuild of \(build.builderName) #\(build.number) by \(user)",
                                    schedulerName: original?.schedulerName ?? "rebuild", sourceStamp: request.sourceStamp,
                                    properties: request.properties, submittedAt: clock.now(),
                                    changeIDs: original?.changeIDs ?? [])
            let (bs, requests) = try await store.addBuildset(buildset, builders: [build.builderName], priority: request.priority)
            await distributor.submitted(requests)
            logger.info("rebuild requested", metadata: ["build": "\(buildID)", "buildset": "\(bs.id)", "by": "\(user)"])
            return .success(API.ForceResult(buildsetid: bs.id, buildrequestids: requests.map(\.id)))
        } catch {
            return .failure(Failure(status: .internalServerError, message: "could not record the request: \(error)"))
        }
    }

    /// The repository of the builder's first git step, for forced builds that name none.
    private func defaultRepository(for builder: BuilderSpec) -> String {
        for step in builder.steps { if case .git(let g) = step.action { return g.repository } }
        return ""
    }

    // MARK: changes

    /// A change recorded here or (several masters) by another master: each single-branch
    /// scheduler this master runs takes it once.
    func changeArrived(_ change: Change) async {
        guard seen.insert(change.id).inserted else { return }
        seenOrder.append(change.id)
        if seenOrder.count > Self.seenLimit, let oldest = seenOrder.popFirst() { seen.remove(oldest) }
        let t = clock.now()
        var firings: [(String, TreeStableTimer.Firing)] = []
        for case .singleBranch(let s) in config.schedulers where jobs.runs(JobOwnership.scheduler(s.name)) {
            guard let matcher = try? BranchMatcher(s), matcher.matches(change.branch) else { continue }
            // A change none of whose files match the filter rides along but starts nothing.
            let important = s.files.map { $0.isEmpty || FileFilter($0).matches(anyOf: change.files) } ?? true
            var timer = timers[s.name] ?? TreeStableTimer(stableFor: s.treeStableTimer)
            timer.stableFor = s.treeStableTimer
            if let firing = timer.changeArrived(change, isImportant: important, now: t) {
                firings.append((s.name, firing))
            }
            timers[s.name] = timer
        }
        for (name, firing) in firings { await submit(name, firing, at: t) }
        signal.wake("change \(change.id)")
    }

    private func submit(_ name: String, _ firing: TreeStableTimer.Firing, at time: Date) async {
        guard case .singleBranch(let s)? = config.schedulers.first(where: { $0.name == name }) else { return }
        // Moved to another master while its tree-stable timer ran: the new owner decides.
        guard jobs.runs(JobOwnership.scheduler(name)) else {
            logger.notice("scheduler moved to another master; its waiting changes are dropped here",
                          metadata: ["scheduler": "\(name)"])
            return
        }
        let newest = firing.newest
        let changes = firing.changes
        let stamp = SourceStamp(repository: newest.repository, branch: newest.branch, revision: newest.revision,
                                project: newest.project)
        let who = Set(changes.map(\.author)).sorted().joined(separator: ", ")
        let buildset = Buildset(reason: "scheduler \(name): \(changes.count) change(s) by \(who)", schedulerName: name,
                                sourceStamp: stamp, properties: ["scheduler": name], submittedAt: time,
                                changeIDs: changes.map(\.id))
        do {
            let (bs, requests) = try await store.addBuildset(buildset, builders: s.builders, priority: 0)
            logger.info("buildset submitted", metadata: ["scheduler": "\(name)", "buildset": "\(bs.id)",
                                                         "revision": "\(newest.revision.prefix(12))"])
            await distributor.submitted(requests)
        } catch {
            logger.error("could not submit a buildset: \(error)", metadata: ["scheduler": "\(name)"])
        }
    }

    // MARK: loop

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.fireDue()
                _ = await self.signal.next(deadline: await self.nextDeadline)
            }
        }
    }

    private var nextDeadline: Date? { timers.values.compactMap(\.nextDeadline).min() }

    private func fireDue() async {
        let t = clock.now()
        for name in timers.keys.sorted() {
            guard var timer = timers[name] else { continue }
            let firings = timer.due(now: t)
            timers[name] = timer
            for firing in firings { await submit(name, firing, at: t) }
        }
    }
}

typealias HTTPStatusCode = Hummingbird.HTTPResponse.Status

import Hummingbird
