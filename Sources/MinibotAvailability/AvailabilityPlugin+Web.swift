import Foundation
import MinibotCore

extension AvailabilityPlugin {
    /// The worker's windows and flags between `from` and `to` (``AvailabilityPolicy/timeline(flag:from:to:)``);
    /// nil for a worker the plugin does not know.
    public func timeline(of worker: String, from: Date, to: Date) async -> AvailabilityTimeline? {
        state.withLock { state in
            guard let record = state.workers[worker] else { return nil }
            return state.policy(for: worker).timeline(flag: record.flag, from: from, to: to)
        }
    }

    /// Every worker with a host agent, as ``HostAgentGate`` knows it.
    public func hostAgents() async -> [HostAgentView]? {
        hostAgent.views()
    }
}
