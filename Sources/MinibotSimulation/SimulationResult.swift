import Foundation
import MinibotAvailability
import MinibotCore

/// Everything one replay found: each arrival's fate, the host's peak, and each worker's
/// availability over the range (what `--html` draws).
public struct SimulationResult: Sendable {
    /// A stretch of time over which a worker's availability stayed the same.
    public struct Span: Sendable, Equatable {
        public var from: Date
        public var to: Date
        public var state: AvailabilityState
        /// The decisive reason (nil while available).
        public var reason: String?
    }

    /// The replayed range.
    public var from: Date
    public var to: Date
    /// In arrival order.
    public var builds: [SimulatedBuild]
    /// The most builds running at once on the host, and when that was first reached.
    public var peakRunning: Int
    public var peakAt: Date?
    /// By worker name.
    public var spans: [String: [Span]]
    /// What the replay could not take into account, in words (`owner_idle is not replayed`).
    public var notes: [String]

    public var started: [SimulatedBuild] { builds.filter { $0.start != nil } }
    public var notStarted: Int { builds.count - started.count }

    /// The waits of the builds that started, in seconds.
    public var waits: [TimeInterval] { builds.compactMap(\.wait) }
    public var totalWait: TimeInterval { waits.reduce(0, +) }
    public var medianWait: TimeInterval? { TypicalDuration.median(waits) }
    public var p95Wait: TimeInterval? { Self.percentile(95, of: waits) }
    public var maxWait: TimeInterval? { waits.max() }

    /// The nearest-rank percentile (`p` in 1...100); nil for no values.
    public static func percentile(_ p: Int, of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = (min(max(p, 1), 100) * sorted.count + 99) / 100
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
