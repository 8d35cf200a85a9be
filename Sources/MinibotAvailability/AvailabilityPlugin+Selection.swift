import Foundation
import MinibotCore

extension AvailabilityPlugin: WorkerSelectionHook {
    public var selectionHook: (any WorkerSelectionHook)? { self }

    /// Cheap and synchronous: evaluates cached state at the distributor's `now`.
    /// Unavailable workers are vetoed with the explanation as reason; advisory ones are
    /// ranked last. Workers this plugin does not know (not configured) are left eligible.
    public func verdicts(for request: PendingRequest, candidates: [WorkerCandidate], now: Date) -> [WorkerVerdict] {
        let own = state.withLock { state in
            candidates.compactMap { candidate in
                state.availability(of: candidate.name, now: now, assumeConnected: true)?.verdict(for: candidate.name)
            }
        }
        return DistributorPolicy.mergeVerdicts([own, hostAgent.verdicts(candidates: candidates)])
    }
}
