import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import MinibotConfig
import MinibotHostFacts
import MinibotCore
import MinibotProtocol
import MinibotStore
import ServiceLifecycle
import UnixSignals

/// A Minibot master: loads `DIR/master.cfg`, opens `DIR/<db>`, serves HTTP (API, change
/// hook, worker WebSocket) and runs builds until SIGTERM or SIGINT. SIGHUP reloads the
/// configuration without dropping builds.
public final class Master: Sendable {
    /// Opens the master's store, given its checked configuration and its directory.
    ///
    /// Supplied by the executable (the master builds against the ``Store`` protocol only and
    /// names no implementation); called once, by ``init(_:)``, before any part of the master
    /// exists. A relative `db` setting is resolved with ``databasePath(_:in:)``. Async, because
    /// a server store connects and migrates its schema before the master starts.
    public typealias StoreFactory = @Sendable (MasterConfig, URL) async throws -> any Store

    /// How to start a master.
    public struct Configuration: Sendable {
        /// The master directory (holds master.cfg, the database, mirrors).
        public var directory: String
        /// Opens the store (e.g. the SQLite file that `db` names).
        public var store: StoreFactory
        /// The plugins this executable ships; `master.cfg` enables them by name.
        public var plugins: [any MasterPlugin.Type]
        /// Overrides `www.port` (0: any free port), e.g. for tests.
        public var port: Int?
        public var logLevel: Logger.Level
        /// The master's one source of time (tests inject a manual clock).
        public var clock: any WallClock
        /// Long polls (`GET /api/v2/events?timeout=S`) held open at once, in all; past it a
        /// new one gets 503 with `Retry-After`.
        public var maxLongPolls: Int = 512
        /// The same, per client address.
        public var maxLongPollsPerClient: Int = 32

        public init(directory: String, store: @escaping StoreFactory, plugins: [any MasterPlugin.Type] = [],
                    port: Int? = nil, logLevel: Logger.Level = .info, clock: any WallClock = SystemClock()) {
            self.directory = directory
            self.store = store
            self.plugins = plugins
            self.port = port
            self.logLevel = logLevel
            self.clock = clock
        }
    }

    private let configuration: Configuration
    private let runtime: MasterRuntime
    private let logger: Logger
    private let reloadLock = AsyncMutex()
    private let supervisor: PluginSupervisor

    /// The configuration file of a master directory.
    public static func configPath(in directory: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent("master.cfg").path
    }

    /// Where the `db` setting puts the database: absolute as written, else in `directory`.
    public static func databasePath(_ config: MasterConfig, in directory: URL) -> String {
        config.db.hasPrefix("/") ? config.db : directory.appendingPathComponent(config.db).path
    }

    /// Checks a configuration file with the given plugins' checkers.
    public static func check(path: String, plugins: [any MasterPlugin.Type]) throws(ConfigErrors) -> MasterConfig {
        var checkers: [String: @Sendable (ConfigNode, MasterConfig) -> [ConfigError]] = [:]
        for p in plugins {
            checkers[p.name] = { node, master in p.checkConfiguration(node, master: master) }
        }
        return try MasterConfigLoader.load(path: path, plugins: checkers)
    }

    /// Loads the configuration, opens the store and wires every part; nothing runs yet.
    public init(_ configuration: Configuration) async throws {
        self.configuration = configuration
        var logger = Logger(label: "minibot.master")
        logger.logLevel = configuration.logLevel
        self.logger = logger
        let directory = URL(fileURLWithPath: configuration.directory).standardizedFileURL
        let config = try Self.check(path: Self.configPath(in: directory.path), plugins: configuration.plugins)
        let store = try await configuration.store(config, directory)
        let clock = configuration.clock
        let masterName = "\(ProcessInfo.processInfo.hostName):\(directory.path)"

        let token = try Self.adminToken(config.www, directory: directory)
        self.runtime = await MasterRuntime.assemble(masterName: masterName, directory: directory, config: config,
                                                    adminToken: token, store: store, clock: clock, logger: logger,
                                                    longPolls: .init(total: max(1, configuration.maxLongPolls),
                                                                     perClient: max(1, configuration.maxLongPollsPerClient)))

        self.supervisor = PluginSupervisor(logger: logger)
        for section in config.plugins {
            try Self.install(section, config: config, types: configuration.plugins, runtime: runtime, logger: logger)
        }
    }

    /// Builds the plugin of a `plugins:` section and installs it (at start, or when a reconfig
    /// adds the section); its `run()` is started by the supervisor.
    @discardableResult
    private static func install(_ section: PluginSection, config: MasterConfig, types: [any MasterPlugin.Type],
                                runtime: MasterRuntime, logger: Logger) throws -> (any MasterPlugin)? {
        guard let type = types.first(where: { $0.name == section.name }) else { return nil }
        let (events, continuation) = AsyncStream.makeStream(of: PluginEvent.self)
        let signal = runtime.signal
        let context = HostedPluginContext(pluginName: section.name, masterName: runtime.masterName, clock: runtime.clock,
                                          wake: { signal.wake($0) }, events: events, registry: runtime.registry,
                                          runner: runtime.runner, store: runtime.store, logger: logger)
        let plugin = try type.init(configuration: section.node, master: config, context: context)
        runtime.plugins.install(name: section.name, plugin: plugin, events: events, continuation: continuation)
        logger.info("plugin enabled", metadata: ["plugin": "\(section.name)"])
        return plugin
    }

    private static func adminToken(_ www: WWWConfig, directory: URL) throws -> String? {
        if let token = www.adminToken { return token }
        guard let file = www.adminTokenFile else { return nil }
        let path = file.hasPrefix("/") ? file : directory.appendingPathComponent(file).path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw MasterError("cannot read the admin token file \(path): create it (e.g. `openssl rand -hex 16 > \(path)`) or run `minibot create-master`")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs until SIGTERM/SIGINT (graceful: stops starting builds, closes links) and
    /// returns. `onListening` gets the bound address once the server accepts connections.
    public func run(onListening: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let runtime = self.runtime
        let logger = self.logger
        await runtime.registry.restore()
        await runtime.distributor.recover()

        let router = Router(context: MasterRequestContext.self)
        let metrics = MasterMetrics()
        // Middleware first, so that it also wraps the router's not-found answer.
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: APIErrorMiddleware())
        // Before any route: a state-changing request from another site's page is refused.
        router.add(middleware: OriginMiddleware())
        // www.public: false — every read needs a login or the admin token.
        router.add(middleware: ReadGateMiddleware(runtime: runtime))
        APIRoutes(runtime: runtime).register(on: router)
        BrowseRoutes(runtime: runtime).register(on: router)
        ChangeHookRoutes(runtime: runtime).register(on: router)
        WebRoutes(runtime: runtime).register(on: router)
        WebActionRoutes(runtime: runtime).register(on: router)
        EventStreamRoutes(runtime: runtime).register(on: router)
        MetricsRoutes(runtime: runtime, metrics: metrics).register(on: router)
        let endpoint = WorkerEndpoint(registry: runtime.registry, plugins: runtime.plugins, logger: logger,
                                      clock: runtime.clock)
        let wsRouter = Router(context: WorkerRequestContext.self)
        wsRouter.ws(RouterPath(stringLiteral: WorkerWire.path)) { [runtime] inbound, outbound, context in
            let peer = context.request.headers[.userAgent] ?? "worker"
            // master.cfg's heartbeat as of this connection (a reload applies to new links).
            var endpoint = endpoint
            endpoint.heartbeat = .seconds(runtime.config.heartbeat)
            await endpoint.serve(inbound: inbound, outbound: outbound, peer: peer,
                                 address: context.requestContext.remoteAddress)
        }
        // A stock buildbot-worker dials `/`; only upgrade requests reach this router, so the
        // web page at `/` is untouched.
        let stockEndpoint = MsgpackWorkerEndpoint(registry: runtime.registry, events: runtime.plugins.events,
                                                  throttle: endpoint.throttle, logger: logger, clock: runtime.clock)
        wsRouter.ws("/", shouldUpgrade: { request, context in
            guard let refused = await stockEndpoint.refusal(authorization: request.headers[.authorization],
                                                            address: context.remoteAddress) else { return .upgrade([:]) }
            // 401 or 409 rather than the library's 400 for every refusal.
            await RefusedUpgrade.answer(refused, on: context.channel)
            return .dontUpgrade
        }, onUpgrade: { [runtime] inbound, outbound, context in
            var stockEndpoint = stockEndpoint
            stockEndpoint.heartbeat = .seconds(runtime.config.heartbeat)
            await stockEndpoint.serve(inbound: inbound, outbound: outbound,
                                      authorization: context.request.headers[.authorization],
                                      peer: context.requestContext.remoteAddress ?? "unknown")
        })
        let config = runtime.config
        let port = configuration.port ?? config.www.port
        var wsConfig = WebSocketServerConfiguration(maxFrameSize: WorkerWire.maxFrameBytes)
        // No WebSocket auto-ping: its pong is read only after every frame queued before it,
        // so a worker streaming a big log faster than the store takes it was dropped as dead
        // mid-build. WorkerEndpoint's heartbeat counts any frame as a sign of life instead.
        wsConfig.autoPing = .disabled
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: wsRouter, configuration: .init(ws: wsConfig)),
            configuration: .init(address: .hostname(config.www.bind, port: port), serverName: "minibot",
                                 availableConnectionsDelegate: ConnectionCap(
                                    limit: ConnectionCap.limit(openFiles: OpenFileLimit.current ?? 1 << 20),
                                    logger: logger.with("component", "http"))),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                let url = "http://\(config.www.bind):\(bound)"
                logger.info("master listening", metadata: ["url": "\(url)"])
                onListening(url)
                Task.detached(priority: .background) {
                    let released = StartupPages.release()
                    logger.debug("start-up pages handed back to the kernel", metadata: ["mapped_MiB": "\(released >> 20)"])
                }
            },
            logger: logger.with("component", "http"))

        let janitor = JanitorService(store: runtime.store, events: runtime.plugins.events,
                                     logger: logger.with("component", "janitor"), clock: runtime.clock,
                                     config: { [runtime] in runtime.config.janitor })
        for p in runtime.plugins.all { await supervisor.start(name: p.name, plugin: p.plugin) }
        let health = StoreHealthService(store: runtime.store, distributor: runtime.distributor,
                                        events: runtime.plugins.events, logger: logger, clock: runtime.clock)
        var services: [any Service] = [runtime.distributor, runtime.schedulers, runtime.pollers, janitor, supervisor,
                                       health]
        services.append(MetricsService(events: runtime.plugins.events, metrics: metrics))
        services.append(PageReleaseService(events: runtime.plugins.events, logger: logger.with("component", "memory"),
                                           clock: runtime.clock))
        if let shared = runtime.store as? any SharedStore {
            // Several masters on one database: leases and the reaper (see LivenessService).
            services.append(LivenessService(store: shared, masterName: runtime.masterName,
                                            configHash: { [runtime] in runtime.configHash },
                                            distributor: runtime.distributor, runner: runtime.runner,
                                            jobs: runtime.jobs,
                                            gained: { [pollers = runtime.pollers] jobs in
                                                // Apart from the heartbeat loop: a fetch may take long.
                                                Task { await pollers.jobsGained(jobs) }
                                            },
                                            config: { [runtime] in runtime.config },
                                            events: runtime.plugins.events,
                                            logger: logger.with("component", "liveness"), clock: runtime.clock))
            // ...each master shows the others' builds live...
            let relay = EventRelay(store: shared, events: runtime.plugins.events, masterName: runtime.masterName,
                                   logger: logger.with("component", "events"), clock: runtime.clock)
            services.append(relay)
            // ...and builds the others' requests as soon as they are committed.
            services.append(WakeUpService(store: shared, runtime: runtime, relay: relay,
                                          logger: logger.with("component", "wake-ups"), clock: runtime.clock))
        }
        services.append(ReloadOnHangup(master: self))
        services.append(app)
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger.with("component", "services")))
        try await group.run()
        runtime.signal.finish()
        runtime.plugins.finish()
        logger.info("master stopped")
    }

    /// Re-reads master.cfg; on errors keeps the running configuration and returns them.
    @discardableResult
    public func reload() async -> ConfigErrors? {
        await reloadLock.withLock {
            let path = Self.configPath(in: runtime.directory.path)
            let config: MasterConfig
            do throws(ConfigErrors) {
                config = try Self.check(path: path, plugins: configuration.plugins)
            } catch {
                logger.error("reconfig rejected, keeping the running configuration:\n\(error)")
                runtime.plugins.events.record(.configRejected, ["errors": .string(error.description)])
                return error
            }
            let token: String?
            do {
                token = try Self.adminToken(config.www, directory: runtime.directory)
            } catch {
                // Every refused reload says so on the event stream, whatever its cause.
                let errors = ConfigErrors([ConfigError("\(error)", at: SourceLocation(file: path, line: 1, column: 1))])
                logger.error("reconfig rejected, keeping the running configuration: \(error)")
                runtime.plugins.events.record(.configRejected, ["errors": .string(errors.description)])
                return errors
            }
            runtime.replace(config: config, adminToken: token)
            await runtime.registry.apply(specs: config.workers)
            runtime.runner.apply(config: config)
            await runtime.locks.apply(config.locks)
            await runtime.distributor.apply(config: config)
            await runtime.schedulers.apply(config: config)
            await runtime.pollers.apply(specs: config.gitPollers)
            // Plugins: a removed section disables its plugin, a new one enables it, the others
            // take their new settings.
            let wanted = Set(config.plugins.map(\.name))
            for installed in runtime.plugins.all where !wanted.contains(installed.name) {
                await supervisor.stop(name: installed.name)
                runtime.plugins.remove(name: installed.name)
                logger.notice("plugin disabled: its section left master.cfg", metadata: ["plugin": "\(installed.name)"])
            }
            for section in config.plugins {
                if let plugin = runtime.plugins.plugin(named: section.name) {
                    await plugin.reconfigure(section.node, master: config)
                    continue
                }
                do {
                    if let plugin = try Self.install(section, config: config, types: configuration.plugins,
                                                     runtime: runtime, logger: logger) {
                        await supervisor.start(name: section.name, plugin: plugin)
                    }
                } catch {
                    logger.error("plugin \(section.name) could not be enabled: \(error)")
                }
            }
            runtime.plugins.publish(.configReloaded)
            runtime.signal.wake("reconfig")
            logger.info("configuration reloaded", metadata: ["builders": "\(config.builders.count)",
                                                             "workers": "\(config.workers.count)"])
            return nil
        }
    }
}

/// A master that cannot start, with what to do about it.
public struct MasterError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
