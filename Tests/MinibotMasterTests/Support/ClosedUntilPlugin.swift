import Foundation
import MinibotCore

/// A test plugin: every worker is unavailable for the first minute after the plugin starts,
/// with that end as its `until`, so that only the distributor's backstop can start a build.
struct ClosedUntilPlugin: MasterPlugin, WorkerSelectionHook {
    static let name = "closed_until"
    static let closedFor: Double = 60
    let opensAt: Date

    init(configuration: ConfigNode, master: MasterConfig, context: any PluginContext) throws {
        opensAt = context.now().addingTimeInterval(Self.closedFor)
    }

    var selectionHook: (any WorkerSelectionHook)? { self }

    func verdicts(for request: PendingRequest, candidates: [WorkerCandidate], now: Date) -> [WorkerVerdict] {
        guard now < opensAt else { return [] }
        return candidates.map { .unavailable($0.name, reason: "closed", until: opensAt) }
    }
}
