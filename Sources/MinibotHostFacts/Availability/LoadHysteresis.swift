import Foundation

/// A threshold with hysteresis on a load figure (the 1-minute load average, a PSI pressure,
/// free memory): blocked once a sample goes past `max`, free again only once a sample goes
/// back past `resume`. Samples that flap around `max` therefore do not flap the verdict.
///
/// Optionally timed, as kubelet's soft and hard eviction thresholds and its transition period:
/// - `holdFor` (`for:` in `master.cfg`): the samples must stay past `max` that long before the
///   threshold blocks (a short spike is ignored);
/// - `hard`: a second limit that blocks at the first sample past it, `holdFor` or not;
/// - `resumeAfter`: a blocked threshold frees only once the samples have stayed past `resume`
///   that long.
///
/// A pure state machine: the time of each sample is an argument (``update(_:at:)``), never read
/// from a clock, so tests give exact times. A sample at a time before the period it belongs to
/// (the clock went back) starts that period again: the threshold never frees or blocks early.
/// Shared by the availability plugin on the master (fed by the reports workers send, stamped
/// with the master's clock) and the host agent (fed by its own sampling). The caller decides
/// what "blocked" means (no new builds, or ranked last).
public struct LoadHysteresis: Sendable, Hashable, Codable {
    /// Which way a figure goes when the host gets busier.
    public enum Direction: String, Sendable, Hashable, Codable {
        /// Higher is busier (loads, pressures): blocked above `max`, free below `resume`.
        case above
        /// Lower is busier (free memory): blocked below `max` (then a minimum), free above `resume`.
        case below
    }

    /// Past this (for `holdFor`), new work is blocked. For ``Direction/below``, a minimum.
    public var max: Double
    /// Back past this, a blocked threshold frees again. Never beyond `max` (≤ it for
    /// ``Direction/above``, ≥ it for ``Direction/below``).
    public var resume: Double
    public var direction: Direction
    /// Past this, the threshold blocks at the first sample. Nil: no hard limit.
    public var hard: Double?
    /// How long samples must stay past `max` before the threshold blocks, in seconds.
    public var holdFor: TimeInterval
    /// How long samples must stay back past `resume` before a blocked threshold frees, in seconds.
    public var resumeAfter: TimeInterval
    /// Whether the last samples left the threshold blocked.
    public private(set) var isBlocked: Bool
    /// Since when the samples have been past `max` without blocking yet (waiting out `holdFor`).
    public private(set) var exceededSince: Date?
    /// Since when the samples of a blocked threshold have been back past `resume` (waiting out
    /// `resumeAfter`).
    public private(set) var recoveringSince: Date?

    /// The default `resume` for a `max`: 80 % of it.
    public static func defaultResume(for max: Double) -> Double { defaultResume(for: max, direction: .above) }

    /// The default `resume` for a limit: 80 % of a maximum, 125 % of a minimum.
    public static func defaultResume(for max: Double, direction: Direction) -> Double {
        direction == .above ? max * 0.8 : max * 1.25
    }

    /// `resume` defaults to ``defaultResume(for:direction:)``; a `resume` beyond `max` is
    /// clamped to `max` (configuration checks report it before it gets here). Durations that
    /// are negative or not finite count as zero.
    public init(max: Double, resume: Double? = nil, direction: Direction = .above, hard: Double? = nil,
                holdFor: TimeInterval = 0, resumeAfter: TimeInterval = 0, isBlocked: Bool = false) {
        self.max = max
        let wanted = resume ?? LoadHysteresis.defaultResume(for: max, direction: direction)
        self.resume = direction == .above ? Swift.min(wanted, max) : Swift.max(wanted, max)
        self.direction = direction
        self.hard = hard
        self.holdFor = holdFor.isFinite ? Swift.max(holdFor, 0) : 0
        self.resumeAfter = resumeAfter.isFinite ? Swift.max(resumeAfter, 0) : 0
        self.isBlocked = isBlocked
    }

    /// Feeds one sample taken at `now`; returns whether the threshold is blocked after it.
    @discardableResult
    public mutating func update(_ value: Double, at now: Date) -> Bool {
        if isBlocked {
            exceededSince = nil
            guard isBack(value) else {
                recoveringSince = nil
                return true
            }
            let since = Self.start(recoveringSince, now: now)
            if now.timeIntervalSince(since) >= resumeAfter {
                isBlocked = false
                recoveringSince = nil
            } else {
                recoveringSince = since
            }
            return isBlocked
        }
        recoveringSince = nil
        if let hard, isPast(value, hard) {
            isBlocked = true
            exceededSince = nil
            return true
        }
        guard isPast(value, max) else {
            exceededSince = nil
            return false
        }
        let since = Self.start(exceededSince, now: now)
        if now.timeIntervalSince(since) >= holdFor {
            isBlocked = true
            exceededSince = nil
        } else {
            exceededSince = since
        }
        return isBlocked
    }

    /// Feeds one sample of an untimed threshold (no `holdFor`, no `resumeAfter`: the agent's),
    /// for which the time does not matter.
    @discardableResult
    public mutating func update(_ load: Double) -> Bool {
        update(load, at: Date(timeIntervalSinceReferenceDate: 0))
    }

    /// Whether `value` is past `limit`, the busy way.
    public func isPast(_ value: Double, _ limit: Double) -> Bool {
        direction == .above ? value > limit : value < limit
    }

    /// Whether `value` is back past `resume`, the quiet way.
    public func isBack(_ value: Double) -> Bool {
        direction == .above ? value < resume : value > resume
    }

    /// The same threshold with new limits, keeping whether it is blocked (a reconfig must
    /// not free a busy worker before its load actually drops).
    public func reconfigured(max: Double, resume: Double?) -> LoadHysteresis {
        reconfigured(to: LoadHysteresis(max: max, resume: resume, direction: direction, hard: hard,
                                        holdFor: holdFor, resumeAfter: resumeAfter))
    }

    /// `limits` (an unblocked threshold) with this one's state: blocked or not, and the periods
    /// being waited out.
    public func reconfigured(to limits: LoadHysteresis) -> LoadHysteresis {
        var next = limits
        next.isBlocked = isBlocked
        next.exceededSince = exceededSince
        next.recoveringSince = recoveringSince
        return next
    }

    /// A period starts at the first sample in it; a start after `now` means the clock went
    /// back, and the period starts again.
    private static func start(_ since: Date?, now: Date) -> Date {
        guard let since, since <= now else { return now }
        return since
    }
}
