import Foundation
import Hummingbird
import Logging
import MinibotCore
import MinibotStore
import Synchronization

/// The parts of a running master, wired together; what the HTTP routes talk to.
final class MasterRuntime: Sendable {
    let masterName: String
    let directory: URL
    let store: any Store
    let registry: WorkerRegistry
    let runner: BuildRunner
    let distributor: Distributor
    let locks: LockManager
    let plugins: PluginHost
    let schedulers: SchedulerService
    let changes: ChangeIntake
    let pollers: PollerService
    let signal: WakeSignal
    let clock: any WallClock
    /// The long polls open now, against their caps.
    let longPolls: LongPollGate
    /// The schedulers and pollers this master runs (all of them, unless it shares its database).
    let jobs: JobOwnership
    /// The web UI's logins (in memory: a restart logs everyone out).
    let sessions = WebSessions()
    /// The build page's coloured tails of finished steps' logs.
    let logTails = LogTailCache()
    private let state: Mutex<(config: MasterConfig, adminToken: String?, configHash: String?)>

    init(masterName: String, directory: URL, config: MasterConfig, adminToken: String?, store: any Store,
         registry: WorkerRegistry, runner: BuildRunner, distributor: Distributor, locks: LockManager, plugins: PluginHost,
         schedulers: SchedulerService, changes: ChangeIntake, pollers: PollerService, signal: WakeSignal,
         clock: any WallClock, jobs: JobOwnership, longPolls: LongPollBudget.Limits = .init()) {
        self.longPolls = LongPollGate(limits: longPolls)
        self.jobs = jobs
        self.masterName = masterName
        self.directory = directory
        self.store = store
        self.registry = registry
        self.runner = runner
        self.distributor = distributor
        self.locks = locks
        self.plugins = plugins
        self.schedulers = schedulers
        self.changes = changes
        self.pollers = pollers
        self.signal = signal
        self.clock = clock
        self.state = Mutex((config, adminToken, ConfigDigest.of(file: config.path)))
    }

    /// Wires every part of a master around its store and clock; nothing runs yet. The one
    /// place the parts are put together: `Master.init` and the in-process master tests use it.
    static func assemble(masterName: String, directory: URL, config: MasterConfig, adminToken: String?,
                         store: any Store, clock: any WallClock, logger: Logger,
                         longPolls: LongPollBudget.Limits = .init()) async -> MasterRuntime {
        let signal = WakeSignal(clock: clock)
        let wake: @Sendable (String) -> Void = { signal.wake($0) }
        let plugins = PluginHost(events: EventLog(clock: clock))
        let registry = WorkerRegistry(specs: config.workers, store: store, logger: logger, wake: wake,
                                      publish: { plugins.publish($0) })
        let locks = LockManager(locks: config.locks, wake: wake)
        let distributor = Distributor(config: config, store: store, registry: registry, locks: locks, plugins: plugins,
                                      signal: signal, logger: logger, clock: clock)
        let runner = BuildRunner(store: store, registry: registry, locks: locks, plugins: plugins, masterName: masterName,
                                 directory: directory, config: config, logger: logger, clock: clock, wake: wake,
                                 onClaimLost: { id in Task { await distributor.forget([id]) } })
        await distributor.attach(runner: runner)
        let jobs = JobOwnership(shared: store is any SharedStore)
        let schedulers = SchedulerService(config: config, store: store, distributor: distributor, jobs: jobs,
                                          logger: logger, clock: clock)
        let changes = ChangeIntake(store: store, schedulers: schedulers, logger: logger, events: plugins.events)
        let pollers = PollerService(
            specs: config.gitPollers,
            directory: directory, store: store, jobs: jobs, events: plugins.events, logger: logger, clock: clock,
            changes: { try await changes.record($0) })
        return MasterRuntime(
            masterName: masterName, directory: directory, config: config, adminToken: adminToken, store: store,
            registry: registry, runner: runner, distributor: distributor, locks: locks, plugins: plugins,
            schedulers: schedulers, changes: changes, pollers: pollers, signal: signal, clock: clock,
            jobs: jobs, longPolls: longPolls)
    }

    var config: MasterConfig { state.withLock { $0.config } }

    func replace(config: MasterConfig, adminToken: String?) {
        state.withLock { $0 = (config, adminToken, ConfigDigest.of(file: config.path)) }
    }

    /// The admin token, as loaded or last reloaded; nil when none is set.
    var adminToken: String? { state.withLock { $0.adminToken } }

    /// The hash of the master.cfg this master runs (``ConfigDigest``), as loaded or last reloaded.
    var configHash: String? { state.withLock { $0.configHash } }

    /// The change hook's shared secret: `www.change_hook.secret` from master.cfg, else the
    /// contents of `DIR/change_hook.secret` (written by `minibot create-master`, mode 0600),
    /// read at each request so a new secret needs no restart; nil when neither is set.
    func changeHookSecret() -> String? {
        if let secret = config.www.changeHookSecret, !secret.isEmpty { return secret }
        let file = directory.appendingPathComponent(Self.changeHookSecretFile).path
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return secret.isEmpty ? nil : secret
    }

    /// The file in the master directory that holds the change hook's secret.
    static let changeHookSecretFile = "change_hook.secret"

    /// Whether the request carries the admin token as `Authorization: Bearer TOKEN`.
    func isAdmin(_ request: Request) -> Bool {
        guard let token = state.withLock({ $0.adminToken }), !token.isEmpty,
              let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        return constantTimeEqual(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), token)
    }

    /// 401 for a write without the admin token; nil when the request may proceed.
    func denyUnlessAdmin(_ request: Request) -> Response? {
        if isAdmin(request) { return nil }
        if state.withLock({ $0.adminToken }) == nil {
            return APIJSON.error(.unauthorized,
                                 "this master has no admin token: set www.admin_token or www.admin_token_file in master.cfg")
        }
        return APIJSON.error(.unauthorized, "this needs the admin token: send Authorization: Bearer TOKEN (minibot --token or MINIBOT_TOKEN)")
    }
}
