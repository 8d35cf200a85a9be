import Foundation
import Hummingbird
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
    private let state: Mutex<(config: MasterConfig, adminToken: String?)>

    init(masterName: String, directory: URL, config: MasterConfig, adminToken: String?, store: any Store,
         registry: WorkerRegistry, runner: BuildRunner, distributor: Distributor, locks: LockManager, plugins: PluginHost,
         schedulers: SchedulerService, changes: ChangeIntake, pollers: PollerService, signal: WakeSignal,
         clock: any WallClock) {
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
        self.state = Mutex((config, adminToken))
    }

    var config: MasterConfig { state.withLock { $0.config } }

    func replace(config: MasterConfig, adminToken: String?) {
        state.withLock { $0 = (config, adminToken) }
    }

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
