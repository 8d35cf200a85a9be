import Foundation

/// One build request the simulator replays: when it was submitted, for which builder, and how
/// long its build ran (the history's own duration, or the arrivals file's).
public struct SimulatedArrival: Sendable, Equatable {
    /// The history's request id, or the arrivals file's line number.
    public var id: Int64
    public var builder: String
    public var time: Date
    public var duration: TimeInterval
    public var priority: Int
    /// When it really started, for arrivals read from the master's history.
    public var actualStart: Date?

    public init(id: Int64, builder: String, time: Date, duration: TimeInterval, priority: Int = 0,
                actualStart: Date? = nil) {
        self.id = id
        self.builder = builder
        self.time = time
        self.duration = duration.isFinite ? max(0, duration) : 0
        self.priority = priority
        self.actualStart = actualStart
    }
}
