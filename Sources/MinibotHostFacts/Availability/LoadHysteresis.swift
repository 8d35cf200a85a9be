/// A threshold with hysteresis on a load figure (the 1-minute load average, CPU pressure):
/// blocked once a sample goes *above* `max`, free again only once a sample goes *below*
/// `resume`. Samples that flap around `max` therefore do not flap the verdict.
///
/// Pure value, no clock: shared by the availability plugin on the master (fed by the load
/// workers report) and the host agent (fed by its own sampling). The caller decides what
/// "blocked" means (no new builds, or ranked last).
public struct LoadHysteresis: Sendable, Hashable, Codable {
    /// Above this, new work is blocked.
    public var max: Double
    /// Below this, a blocked threshold frees again. Always ≤ `max`.
    public var resume: Double
    /// Whether the last samples left the threshold blocked.
    public private(set) var isBlocked: Bool

    /// The default `resume` for a `max`: 80 % of it.
    public static func defaultResume(for max: Double) -> Double { max * 0.8 }

    /// `resume` defaults to 80 % of `max`; a `resume` above `max` is clamped to `max`
    /// (configuration checks report it before it gets here).
    public init(max: Double, resume: Double? = nil, isBlocked: Bool = false) {
        self.max = max
        self.resume = Swift.min(resume ?? LoadHysteresis.defaultResume(for: max), max)
        self.isBlocked = isBlocked
    }

    /// Feeds one sample; returns whether the threshold is blocked after it.
    @discardableResult
    public mutating func update(_ load: Double) -> Bool {
        if isBlocked {
            if load < resume { isBlocked = false }
        } else if load > max {
            isBlocked = true
        }
        return isBlocked
    }

    /// The same threshold with new limits, keeping whether it is blocked (a reconfig must
    /// not free a busy worker before its load actually drops).
    public func reconfigured(max: Double, resume: Double?) -> LoadHysteresis {
        LoadHysteresis(max: max, resume: resume, isBlocked: isBlocked)
    }
}
