import Foundation
import MinibotCore
import Synchronization

/// The availability plugin on the master: per-worker flags, time windows and load
/// thresholds decide which workers may take new builds, with an explanation for each veto.
///
/// State lives under one `Mutex` because the selection hook is synchronous and called on
/// the distributor's actor: it must read (and, for clock-jump repair, touch) state without
/// awaiting. Decisions are made by ``AvailabilityPolicy`` from `context.now()` each time.
///
/// `run()` restores persisted flags, then consumes the master's events and sleeps until the
/// next instant at which some worker's verdict can change by itself (window boundary, lead
/// time, flag expiry, load becoming unknown), capped at ``maxSleep`` so a wall-clock jump is
/// noticed within a minute. Whenever a worker becomes more usable it calls
/// ``PluginContext/wake(reason:)``: the distributor never polls for availability.
///
/// Builds already running follow `while_unavailable` (``BuildHoldPolicy``): after each
/// refresh the plugin asks the master to suspend, renice or resume them
/// (``PluginContext/holdBuild(requestID:_:)``), or to retry one suspended past `max_suspend`.
///
/// Worker messages (plugin channel `availability`), from the worker's owner on its machine:
/// - `{"type":"set_flag","state":"unavailable","reason":"...","for_seconds":3600,"until":...,"by":"anna"}`
/// - `{"type":"clear_flag","by":"anna"}` (back to the `master.cfg` flag)
/// - `{"type":"get_availability"}`
/// each answered with `{"type":"availability","ok":true,"availability":{...}}` or
/// `{"type":"availability","ok":false,"error":"..."}`.
public final class AvailabilityPlugin: MasterPlugin {
    public static let name = "availability"

    /// The longest the timer sleeps: bounds how late a boundary is noticed after the wall
    /// clock jumps.
    public static let maxSleep: Double = 60

    let context: any PluginContext
    let state: Mutex<State>
    let inputs: AsyncStream<Input>
    let inputContinuation: AsyncStream<Input>.Continuation
    /// Host agent slots for workers that have an agent.
    let hostAgent: HostAgentGate

    enum Input: Sendable {
        case event(PluginEvent)
        /// State changed outside `run()` (HTTP): recompute the next deadline.
        case rearm
        case timer(id: Int)
    }

    public convenience init(configuration: ConfigNode, master: MasterConfig, context: any PluginContext) throws {
        try self.init(configuration: configuration, master: master, context: context,
                      displayTimeZone: .current)
    }

    /// - Parameters:
    ///   - displayTimeZone: where flag expiries are shown and `until: "17:00"` is read.
    public init(configuration: ConfigNode, master: MasterConfig, context: any PluginContext,
                displayTimeZone: TimeZone) throws {
        let parsed = try AvailabilityConfiguration(node: configuration, master: master)
        self.context = context
        self.state = Mutex(State(configuration: parsed, workers: master.workers.map(\.name), displayZone: displayTimeZone))
        (inputs, inputContinuation) = AsyncStream<Input>.makeStream()
        hostAgent = HostAgentGate(context: context)
        hostAgent.setModeSource { [weak self] worker in
            self?.state.withLock { $0.configuration.settings(for: worker).hostAgent } ?? nil
        }
    }

    public var startGate: (any BuildStartGate)? { hostAgent }

    public static func checkConfiguration(_ node: ConfigNode, master: MasterConfig) -> [ConfigError] {
        AvailabilityConfiguration.parse(node, master: master).1
    }

    // MARK: queries

    /// The availability of one configured worker now; nil for an unknown worker.
    public func availability(of worker: String) -> Availability? {
        let now = context.now()
        return state.withLock { $0.availability(of: worker, now: now) }
    }

    /// Every configured worker's availability now, in configuration order.
    public func allAvailability() -> [(worker: String, availability: Availability)] {
        let now = context.now()
        return state.withLock { state in
            state.order.compactMap { name in state.availability(of: name, now: now).map { (name, $0) } }
        }
    }

    public func workerSummary(_ worker: String) async -> JSONValue? {
        availability(of: worker)?.json
    }

    // MARK: flags

    /// Sets (or with nil clears) the run-time flag of a configured worker, connected or
    /// not; persists it and wakes the distributor. Returns false for an unknown worker.
    @discardableResult
    public func setFlag(_ flag: AvailabilityFlag?, for worker: String) async -> Bool {
        let known = state.withLock { state -> Bool in
            guard state.workers[worker] != nil else { return false }
            state.workers[worker]?.flag = flag
            return true
        }
        guard known else { return false }
        await persistFlag(of: worker)
        let text = flag.map { "\($0.state.rawValue) by \($0.setBy)" } ?? "cleared"
        context.log(.info, "flag of \(worker) \(text)", metadata: ["worker": worker])
        // An operator's explicit change: wake even if the verdict looks the same, it is cheap.
        await refresh([worker])
        context.wake(reason: "availability: flag of \(worker) \(text)")
        inputContinuation.yield(.rearm)
        return true
    }

    static func flagKey(_ worker: String) -> String { "flag.\(worker)" }

    // MARK: reconfig

    public func reconfigure(_ configuration: ConfigNode, master: MasterConfig) async {
        let parsed: AvailabilityConfiguration
        do {
            parsed = try AvailabilityConfiguration(node: configuration, master: master)
        } catch {
            context.log(.error, "availability configuration rejected, keeping the previous one: \(error)")
            return
        }
        let (added, clearedFlags) = state.withLock { $0.apply(parsed, workers: master.workers.map(\.name)) }
        for worker in clearedFlags {
            // The operator changed this worker's flag in master.cfg: the new one applies.
            await context.saveState(Self.flagKey(worker), nil)
        }
        for worker in added {
            if let saved = await context.loadState(Self.flagKey(worker)).flatMap(AvailabilityFlag.init(json:)) {
                state.withLock { if $0.workers[worker]?.flag == nil { $0.workers[worker]?.flag = saved } }
            }
        }
        await refresh(nil)
        inputContinuation.yield(.rearm)
    }

    /// Writes the worker's current flag to the store. Writes from concurrent callers may
    /// finish out of order, so after writing it re-reads the flag and writes again if it
    /// changed meanwhile: the last write to finish always carries the latest flag.
    func persistFlag(of worker: String) async {
        for _ in 0..<5 {
            let flag = state.withLock { $0.workers[worker]?.flag }
            await context.saveState(Self.flagKey(worker), flag?.json)
            if state.withLock({ $0.workers[worker]?.flag }) == flag { return }
        }
    }

    // MARK: change detection

    /// Recomputes the named workers (nil: all), drops expired flags, and wakes the
    /// distributor when a worker became more usable — or when only its reason changed, so
    /// that waiting requests never show a stale reason. Returns the workers that improved.
    @discardableResult
    func refresh(_ workers: [String]?) async -> [String] {
        let now = context.now()
        let (improved, reworded, expired) = state.withLock { $0.refresh(workers, now: now) }
        for worker in expired {
            context.log(.info, "flag of \(worker) expired", metadata: ["worker": worker])
            await persistFlag(of: worker)
        }
        if !improved.isEmpty {
            let what = improved.map { "\($0.worker) now \($0.state.rawValue)" }.joined(separator: ", ")
            context.wake(reason: "availability: \(what)")
        } else if !reworded.isEmpty {
            context.wake(reason: "availability: reason of \(reworded.joined(separator: ", ")) changed")
        }
        await applyHolds(workers)
        return improved.map(\.worker)
    }
}
