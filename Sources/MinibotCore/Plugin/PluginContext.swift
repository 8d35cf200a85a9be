import Foundation

/// What the master gives a plugin. Every method is safe to call from any task.
public protocol PluginContext: Sendable {
    /// The master's name (its identity towards workers and host agents).
    var masterName: String { get }

    /// Wall-clock time as the master sees it, from the master's one ``WallClock`` (tests
    /// inject a manual one).
    func now() -> Date

    /// Sleeps until `deadline` on the master's clock; throws `CancellationError` when the
    /// task is cancelled first. Plugins time their boundaries with it, never with `Task.sleep`.
    func sleep(until deadline: Date) async throws

    /// Wakes the build-request distributor. Call it on anything that can make a worker
    /// usable (a flag cleared, a window ended, load dropped, a slot offered): a waiting
    /// build then starts at once, with no polling.
    func wake(reason: String)

    /// The master's events, in order, for this plugin alone. Call once, from ``MasterPlugin/run()``.
    func events() -> AsyncStream<PluginEvent>

    /// Sends a message to the plugin's counterpart on a connected worker.
    /// Returns false when the worker is not connected.
    @discardableResult
    func send(to worker: String, _ payload: JSONValue) async -> Bool

    /// The workers known to the master right now (configured ones, connected or not).
    func workers() async -> [WorkerSnapshot]

    /// Stops the running build of a request so that it runs again later: it ends RETRY and
    /// the request is pending again (as when its worker is lost). For a plugin whose
    /// permission was withdrawn mid-build, e.g. a host slot lost. Returns false when no build
    /// of that request runs on this master.
    func retryBuild(requestID: Int64, reason: String) async -> Bool

    /// Holds a running build of a request while its worker is unavailable (``BuildHold``):
    /// the worker suspends or renices its steps, and the build's state string says why.
    /// Returns false when no build of that request runs here or its worker cannot hold steps
    /// (a stock buildbot-worker, an older Minibot worker): that build just finishes.
    func holdBuild(requestID: Int64, _ hold: BuildHold) async -> Bool

    /// Reads a persisted value of this plugin (kept across master restarts).
    func loadState(_ key: String) async -> JSONValue?

    /// Persists a value of this plugin; nil deletes it.
    func saveState(_ key: String, _ value: JSONValue?) async

    /// Writes to the master's log under the plugin's name.
    func log(_ level: PluginLogLevel, _ message: String, metadata: [String: String])
}

extension PluginContext {
    /// A master that cannot hold builds: they finish.
    public func holdBuild(requestID: Int64, _ hold: BuildHold) async -> Bool { false }

    public func log(_ level: PluginLogLevel, _ message: String) { log(level, message, metadata: [:]) }
}

/// Levels for ``PluginContext/log(_:_:metadata:)``.
public enum PluginLogLevel: Sendable {
    case debug, info, notice, warning, error
}
