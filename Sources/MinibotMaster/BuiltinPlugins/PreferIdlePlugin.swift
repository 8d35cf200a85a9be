import Foundation
import MinibotCore
import Synchronization

/// `prefer_idle`: among the workers that may take a build, prefer the one that ran the
/// fewest builds in the last hour, so work spreads over a pool instead of piling onto the
/// first worker in the builder's list.
///
/// ```yaml
/// plugins:
///   prefer_idle: {window: 1h}
/// ```
/// It ranks only; it never vetoes. Build starts are remembered across master restarts.
public final class PreferIdlePlugin: MasterPlugin {
    public static let name = "prefer_idle"

    private let context: any PluginContext
    private let window: Double
    private let starts = Mutex<[String: [Date]]>([:])

    public static func checkConfiguration(_ node: ConfigNode, master: MasterConfig) -> [ConfigError] {
        if node.isNull { return [] }
        guard let entries = node.entries else {
            return [ConfigError("prefer_idle takes a mapping like {window: 1h}, found \(node.kindName)", at: node.location)]
        }
        var errors: [ConfigError] = []
        for e in entries {
            switch e.key {
            case "window":
                if e.value.scalar.flatMap(DurationText.seconds) == nil {
                    errors.append(ConfigError("window must be a duration like 30m or 1h", at: e.value.location))
                }
            default:
                errors.append(ConfigError("unknown key '\(e.key)' for prefer_idle (known: window)", at: e.keyLocation))
            }
        }
        return errors
    }

    public required init(configuration: ConfigNode, master: MasterConfig, context: any PluginContext) throws {
        self.context = context
        self.window = configuration["window"]?.scalar.flatMap(DurationText.seconds) ?? 3600
    }

    public var selectionHook: (any WorkerSelectionHook)? { Hook(plugin: self) }

    public func run() async throws {
        if case .object(let saved)? = await context.loadState("starts") {
            let restored = saved.mapValues { v -> [Date] in
                guard case .array(let a) = v else { return [] }
                return a.compactMap { $0.doubleValue.map(Date.init(timeIntervalSince1970:)) }
            }
            starts.withLock { $0.merge(restored) { $1 + $0 } }
        }
        for await event in context.events() {
            guard case .buildStarted(let info) = event else { continue }
            let cutoff = context.now().addingTimeInterval(-window)
            let snapshot = starts.withLock { s -> [String: [Date]] in
                s[info.worker, default: []].append(info.time)
                for k in s.keys { s[k]?.removeAll { $0 < cutoff } }
                return s
            }
            await context.saveState("starts", .object(snapshot.mapValues {
                .array($0.map { .number($0.timeIntervalSince1970) })
            }))
        }
    }

    /// Builds started on `worker` within the window ending at `now`.
    func recentBuilds(_ worker: String, now: Date) -> Int {
        let cutoff = now.addingTimeInterval(-window)
        return starts.withLock { $0[worker]?.filter { $0 >= cutoff }.count ?? 0 }
    }

    public func workerSummary(_ worker: String) async -> JSONValue? {
        .object(["builds_last_window": .number(Double(recentBuilds(worker, now: context.now())))])
    }

    private struct Hook: WorkerSelectionHook {
        let plugin: PreferIdlePlugin

        func verdicts(for request: PendingRequest, candidates: [WorkerCandidate], now: Date) -> [WorkerVerdict] {
            candidates.map { .eligible($0.name, rank: plugin.recentBuilds($0.name, now: now)) }
        }
    }
}
