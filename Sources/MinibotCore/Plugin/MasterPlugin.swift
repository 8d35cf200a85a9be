import Foundation

/// A master plugin: enabled by its ``name`` under `plugins:` in `master.cfg`.
///
/// The `minibot` executable links the plugins it ships and hands their types to the
/// master; the core never names one. Lifecycle, in order, all called by the master:
/// 1. ``checkConfiguration(_:master:)`` during `checkconfig` and every (re)load;
/// 2. `init` once when the master starts (after the store is open, before workers attach);
/// 3. ``run()`` in the master's service group until shutdown (cancellation ends it);
/// 4. ``reconfigure(_:master:)`` after a successful reconfig.
/// Hooks (``selectionHook``, ``startGate``) and ``handle(_:)`` may be called concurrently
/// with `run()` from any task; implementations keep their state in actors or a `Mutex`.
public protocol MasterPlugin: Sendable {
    /// The key under `plugins:` in `master.cfg`, e.g. `availability`.
    static var name: String { get }

    /// Every problem in this plugin's section, with `file:line:column`. No I/O.
    static func checkConfiguration(_ node: ConfigNode, master: MasterConfig) -> [ConfigError]

    /// Builds the plugin from a section that ``checkConfiguration(_:master:)`` accepted.
    init(configuration: ConfigNode, master: MasterConfig, context: any PluginContext) throws

    /// The plugin's background work (timers, watching events); returns when cancelled.
    func run() async throws

    /// Applies a new configuration that passed the check; the master wakes the distributor after.
    func reconfigure(_ configuration: ConfigNode, master: MasterConfig) async

    /// Vetoes or ranks candidate workers; nil when the plugin does not take part.
    var selectionHook: (any WorkerSelectionHook)? { get }

    /// Gates the start of a build asynchronously; nil when the plugin does not take part.
    var startGate: (any BuildStartGate)? { get }

    /// Serves `/api/v2/plugins/NAME/...`. `request.path` is the part after `NAME/`.
    func handle(_ request: PluginHTTPRequest) async -> PluginHTTPResponse

    /// Extra facts about a worker, shown under the plugin's name in `GET /api/v2/workers`.
    func workerSummary(_ worker: String) async -> JSONValue?

    /// What the plugin foresees of a worker's availability between `from` and `to` (the web
    /// UI's timeline picture asks for the next 7 days). Called by the master's web routes
    /// from any task, concurrently with everything else; pure reads of the plugin's state.
    /// Nil (the default) when the plugin has nothing to say about this worker.
    func timeline(of worker: String, from: Date, to: Date) async -> AvailabilityTimeline?

    /// The host agents behind the workers, one view per worker that has an agent, for the
    /// web UI's hosts page. Called by the master's web routes from any task. Nil (the
    /// default) when the plugin does not deal with host agents; an empty list when it does
    /// but no connected worker has one.
    func hostAgents() async -> [HostAgentView]?
}

extension MasterPlugin {
    public static func checkConfiguration(_ node: ConfigNode, master: MasterConfig) -> [ConfigError] { [] }
    public func run() async throws {}
    public func reconfigure(_ configuration: ConfigNode, master: MasterConfig) async {}
    public var selectionHook: (any WorkerSelectionHook)? { nil }
    public var startGate: (any BuildStartGate)? { nil }
    public func handle(_ request: PluginHTTPRequest) async -> PluginHTTPResponse {
        .error(404, "no such route: \(request.method) \(request.path)")
    }
    public func workerSummary(_ worker: String) async -> JSONValue? { nil }
    public func timeline(of worker: String, from: Date, to: Date) async -> AvailabilityTimeline? { nil }
    public func hostAgents() async -> [HostAgentView]? { nil }
}
