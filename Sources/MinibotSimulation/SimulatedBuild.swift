import Foundation
import MinibotCore

/// What the simulator says became of one arrival: when and where it would have started, and
/// why it waited.
public struct SimulatedBuild: Sendable, Equatable {
    /// One kind of obstacle and how long it held the request back.
    public struct WaitShare: Sendable, Equatable {
        /// Nil for a reason about the builder alone (no worker configured).
        public var kind: WaitingKind?
        /// The words of its first occurrence, as `minibot pending` would have shown them.
        public var reason: String
        public var seconds: TimeInterval
    }

    public var arrival: SimulatedArrival
    /// Nil when it had not started when the replayed range ended.
    public var start: Date?
    public var worker: String?
    /// The reasons it waited, the longest first.
    public var reasons: [WaitShare]

    /// Seconds from submission to start; nil when it did not start.
    public var wait: TimeInterval? { start.map { max(0, $0.timeIntervalSince(arrival.time)) } }

    /// The reason that held it back longest, if it waited at all.
    public var mainReason: WaitShare? { reasons.first }

    public init(arrival: SimulatedArrival, start: Date? = nil, worker: String? = nil, reasons: [WaitShare] = []) {
        self.arrival = arrival
        self.start = start
        self.worker = worker
        self.reasons = reasons
    }
}
