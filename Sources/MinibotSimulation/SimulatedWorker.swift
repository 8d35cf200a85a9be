import Foundation
import MinibotAvailability
import MinibotHostFacts

/// One worker as the simulator replays it: its availability settings from a `master.cfg`, its
/// build slots, and the load it recorded (oldest first).
public struct SimulatedWorker: Sendable {
    public var name: String
    public var settings: WorkerAvailabilitySettings
    public var maxBuilds: Int
    /// The recorded samples, oldest first (``AvailabilitySimulation`` sorts them again).
    public var trace: [LoadSample]

    /// Whether its builds take a slot from the host agent.
    public var usesAgent: Bool

    /// `usesAgent` defaults to `host_agent: required`; a worker started with `--agent` and no
    /// `host_agent` key uses it too, which only the caller knows.
    public init(name: String, settings: WorkerAvailabilitySettings, maxBuilds: Int = 1, trace: [LoadSample],
                usesAgent: Bool? = nil) {
        self.name = name
        self.usesAgent = usesAgent ?? (settings.hostAgent == .required)
        self.settings = settings
        self.maxBuilds = max(1, maxBuilds)
        self.trace = trace
    }
}
