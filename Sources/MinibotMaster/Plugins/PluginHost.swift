import Foundation
import Logging
import MinibotCore
import MinibotStore
import Synchronization

/// The enabled plugins of a running master and the fan-out of master events to them.
///
/// Created empty before the registry and distributor (which publish into it), then filled
/// by ``install(_:)`` once the plugins are built. Each plugin has its own event stream, so
/// a slow plugin delays only itself.
final class PluginHost: Sendable {
    struct Installed: Sendable {
        var name: String
        var plugin: any MasterPlugin
        var events: AsyncStream<PluginEvent>
        var continuation: AsyncStream<PluginEvent>.Continuation
    }

    private let installed = Mutex<[Installed]>([])
    /// Every published event is also recorded here, for the API's event stream.
    let events: EventLog

    init(events: EventLog) {
        self.events = events
    }

    /// Adds a built plugin; its event stream starts now.
    func install(name: String, plugin: any MasterPlugin, events: AsyncStream<PluginEvent>,
                 continuation: AsyncStream<PluginEvent>.Continuation) {
        installed.withLock { $0.append(Installed(name: name, plugin: plugin, events: events, continuation: continuation)) }
    }

    /// Takes a plugin out (a reconfig removed its section): its hooks and gates stop taking
    /// part and its event stream ends.
    func remove(name: String) {
        let removed = installed.withLock { list -> [Installed] in
            let gone = list.filter { $0.name == name }
            list.removeAll { $0.name == name }
            return gone
        }
        for p in removed { p.continuation.finish() }
    }

    var all: [Installed] { installed.withLock { $0 } }

    func plugin(named name: String) -> (any MasterPlugin)? {
        installed.withLock { list in list.first { $0.name == name }?.plugin }
    }

    /// Sends an event to every plugin.
    func publish(_ event: PluginEvent) {
        events.record(event)
        for p in all { p.continuation.yield(event) }
    }

    /// Sends a worker's plugin message to the plugin it names.
    func workerMessage(plugin name: String, worker: String, payload: JSONValue) {
        guard let p = all.first(where: { $0.name == name }) else { return }
        p.continuation.yield(.workerMessage(worker: worker, payload))
    }

    var selectionHooks: [any WorkerSelectionHook] { all.compactMap { $0.plugin.selectionHook } }
    var startGates: [any BuildStartGate] { all.compactMap { $0.plugin.startGate } }

    func finish() {
        for p in all { p.continuation.finish() }
    }
}

/// The ``PluginContext`` a plugin gets: its name scopes its state, log and messages.
final class HostedPluginContext: PluginContext {
    let pluginName: String
    let masterName: String
    private let clock: any WallClock
    private let wakeDistributor: @Sendable (String) -> Void
    private let eventStream: AsyncStream<PluginEvent>
    private let registry: WorkerRegistry
    private let runner: BuildRunner
    private let store: any Store
    private let logger: Logger

    init(pluginName: String, masterName: String, clock: any WallClock,
         wake: @escaping @Sendable (String) -> Void, events: AsyncStream<PluginEvent>,
         registry: WorkerRegistry, runner: BuildRunner, store: any Store, logger: Logger) {
        self.pluginName = pluginName
        self.masterName = masterName
        self.clock = clock
        self.wakeDistributor = wake
        self.eventStream = events
        self.registry = registry
        self.runner = runner
        self.store = store
        self.logger = logger.with("plugin", pluginName)
    }

    func retryBuild(requestID: Int64, reason: String) async -> Bool {
        await runner.retry(requestID: requestID, reason: "\(pluginName): \(reason)")
    }

    func holdBuild(requestID: Int64, _ hold: BuildHold) async -> Bool {
        await runner.hold(requestID: requestID, hold)
    }

    func now() -> Date { clock.now() }

    func sleep(until deadline: Date) async throws { try await clock.sleep(until: deadline) }

    func wake(reason: String) { wakeDistributor("\(pluginName): \(reason)") }

    func events() -> AsyncStream<PluginEvent> { eventStream }

    func send(to worker: String, _ payload: JSONValue) async -> Bool {
        guard let link = await registry.link(worker) else { return false }
        return link.sendPlugin(pluginName, payload: payload)
    }

    func workers() async -> [WorkerSnapshot] { await registry.snapshots() }

    func loadState(_ key: String) async -> JSONValue? {
        do {
            return try await store.pluginState(plugin: pluginName, key: key)
        } catch {
            logger.error("could not read plugin state \(key): \(error)")
            return nil
        }
    }

    func saveState(_ key: String, _ value: JSONValue?) async {
        do {
            try await store.setPluginState(plugin: pluginName, key: key, value: value)
        } catch {
            logger.error("could not save plugin state \(key): \(error)")
        }
    }

    func log(_ level: PluginLogLevel, _ message: String, metadata: [String: String]) {
        let md = metadata.mapValues { Logger.MetadataValue.string($0) }
        switch level {
        case .debug: logger.debug("\(message)", metadata: md)
        case .info: logger.info("\(message)", metadata: md)
        case .notice: logger.notice("\(message)", metadata: md)
        case .warning: logger.warning("\(message)", metadata: md)
        case .error: logger.error("\(message)", metadata: md)
        }
    }
}
