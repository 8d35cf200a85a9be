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
    let runtime: MasterRuntime
    private let loops: [Task<Void, any Error>]

    var store: any Store { runtime.store }
    var events: EventLog { runtime.plugins.events }
    var registry: WorkerRegistry { runtime.registry }
    var distributor: Distributor { runtime.distributor }
    var runner: BuildRunner { runtime.runner }

    /// A master directory with this master.cfg; `directory` reuses another scene's (a restart).
    init(_ yaml: String, directory: TemporaryDirectory? = nil, clock: ManualClock = ManualClock()) async throws {
        let directory = try directory ?? TemporaryDirectory("minibot-master-test")
        self.directory = directory
        self.clock = clock
        let path = directory.appending("master.cfg").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try MasterConfigLoader.load(path: path, plugins: [:])
        let store = try SQLiteStore(path: directory.appending("state.sqlite").path)
        var logger = Logger(label: "minibot.master-test")
        logger.logLevel = .warning
        runtime = await MasterRuntime.assemble(masterName: "test", directory: directory.url, config: config,
                                               adminToken: nil, store: store, clock: clock, logger: logger)
        // As Master.run does before it serves.
        await runtime.registry.restore()
        await runtime.distributor.recover()
        loops = [Task { [runtime] in try await runtime.distributor.run() },
                 Task { [runtime] in try await runtime.schedulers.run() }]
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

    /// Installs a plugin as the master does for a `plugins:` section (without config).
    func install(_ type: any MasterPlugin.Type) throws {
        let (events, continuation) = AsyncStream.makeStream(of: PluginEvent.self)
        let signal = runtime.signal
        let context = HostedPluginContext(pluginName: type.name, masterName: runtime.masterName, clock: clock,
                                          wake: { signal.wake($0) }, events: events, registry: runtime.registry,
                                          runner: runtime.runner, store: runtime.store,
                                          logger: Logger(label: "minibot.master-test"))
        let plugin = try type.init(configuration: ConfigNode(.null, at: SourceLocation(file: "test", line: 1, column: 1)),
                                   master: runtime.config, context: context)
        runtime.plugins.install(name: type.name, plugin: plugin, events: events, continuation: continuation)
    }

    /// A commit on a branch, recorded as the poller or the change hook would.
    @discardableResult
    func change(_ revision: String, branch: String = "main") async throws -> Change {
        try await runtime.changes.record(Change(revision: revision, branch: branch, repository: "/srv/git/r.git",
                                                author: "ann", comments: "commit \(revision)", when: clock.now(),
                                                source: "test"))
    }

    /// Stops the distributor's and schedulers' loops (the store stays on disk for a restart).
    func stop() {
        for loop in loops { loop.cancel() }
    }
}
