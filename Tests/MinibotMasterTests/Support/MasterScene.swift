import Foundation
import Logging
import MinibotConfig
import MinibotCore
@testable import MinibotMaster
import MinibotSQLite
import MinibotStore
import MinibotTesting

/// The master's services wired as `Master.init` wires them, in-process: a real SQLite file in
/// a temp directory, the manual clock, and fake worker connections instead of sockets.
final class MasterScene: Sendable {
    let directory: TemporaryDirectory
    let clock: ManualClock
    let config: MasterConfig
    let store: any Store
    let events: EventLog
    let registry: WorkerRegistry
    let distributor: Distributor
    let runner: BuildRunner
    private let loop: Task<Void, any Error>

    /// A master directory with this master.cfg; `database` reuses another scene's directory
    /// (a restart).
    init(_ yaml: String, directory: TemporaryDirectory? = nil, clock: ManualClock = ManualClock()) async throws {
        let directory = try directory ?? TemporaryDirectory("minibot-master-test")
        self.directory = directory
        self.clock = clock
        let path = directory.appending("master.cfg").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try MasterConfigLoader.load(path: path, plugins: [:])
        self.config = config
        let store = try SQLiteStore(path: directory.appending("state.sqlite").path)
        self.store = store
        var logger = Logger(label: "minibot.master-test")
        logger.logLevel = .warning
        let signal = WakeSignal(clock: clock)
        let wake: @Sendable (String) -> Void = { signal.wake($0) }
        let events = EventLog(clock: clock)
        self.events = events
        let plugins = PluginHost(events: events)
        let registry = WorkerRegistry(specs: config.workers, store: store, logger: logger, wake: wake,
                                      publish: { plugins.publish($0) })
        self.registry = registry
        let locks = LockManager(locks: config.locks, wake: wake)
        let distributor = Distributor(config: config, store: store, registry: registry, locks: locks, plugins: plugins,
                                      signal: signal, logger: logger, clock: clock)
        self.distributor = distributor
        runner = BuildRunner(store: store, registry: registry, locks: locks, plugins: plugins, masterName: "test",
                             directory: directory.url, config: config, logger: logger, clock: clock, wake: wake,
                             onClaimLost: { id in Task { await distributor.forget([id]) } })
        await distributor.attach(runner: runner)
        await registry.restore()
        await distributor.recover()
        loop = Task { try await distributor.run() }
    }

    /// Connects a fake worker as the endpoint would after a good hello.
    func connect(_ name: String) async -> FakeWorkerConnection {
        let link = FakeWorkerConnection(name: name, connectedAt: clock.now())
        _ = await registry.attach(link)
        return link
    }

    /// Loses a worker: its connection closes and the registry detaches it.
    func lose(_ link: FakeWorkerConnection) async {
        link.close()
        await registry.detach(link)
    }

    /// Submits one forced request per priority, oldest first, one second apart.
    @discardableResult
    func force(_ builder: String, priorities: [Int]) async throws -> [BuildRequest] {
        var all: [BuildRequest] = []
        for priority in priorities {
            let buildset = Buildset(reason: "test", schedulerName: "force", sourceStamp: SourceStamp(),
                                    submittedAt: clock.now())
            let (_, requests) = try await store.addBuildset(buildset, builders: [builder], priority: priority)
            all += requests
            clock.advance(by: 1)
        }
        return all
    }

    /// Hands stored requests to the distributor, as a scheduler does.
    func submit(_ requests: [BuildRequest]) async {
        await distributor.submitted(requests)
    }

    /// Stops the distributor's loop (the store stays on disk for a restart).
    func stop() {
        loop.cancel()
    }
}
