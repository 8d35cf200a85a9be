import Foundation
import MinibotHostFacts

/// One threshold as written in `master.cfg`: `max_memory_pressure: 20`, or
/// `max_memory_pressure: {value: 20, resume: 16, for: 30s, resume_after: 2m}`; the same for a
/// `hard_` key, where `for` does not apply.
public struct ThresholdLimit: Sendable, Equatable {
    /// The limit (a minimum for free memory).
    public var value: Double
    /// Where a blocked threshold frees again; nil: the default (80 % of `value`, 125 % of a minimum).
    public var resume: Double?
    /// `for`: how long it must be exceeded before it blocks, in seconds.
    public var holdFor: Double
    /// `resume_after`: how long it must be back past `resume` before it frees, in seconds.
    public var resumeAfter: Double

    public init(value: Double, resume: Double? = nil, holdFor: Double = 0, resumeAfter: Double = 0) {
        self.value = value
        self.resume = resume
        self.holdFor = holdFor
        self.resumeAfter = resumeAfter
    }

    /// The state machine for a soft limit and a hard one on `signal` (either may be missing).
    ///
    /// The one rule for combining them: the soft limit blocks after its `for`, the hard one at
    /// the first sample; the resume level comes from the soft limit (from the hard one when
    /// there is no soft one), and the longer `resume_after` of the two applies.
    static func hysteresis(soft: ThresholdLimit?, hard: ThresholdLimit?, signal: LoadSignal) -> LoadHysteresis? {
        guard let main = soft ?? hard else { return nil }
        return LoadHysteresis(max: main.value, resume: main.resume, direction: signal.direction,
                              hard: soft == nil ? nil : hard?.value,
                              holdFor: soft?.holdFor ?? 0,
                              resumeAfter: max(soft?.resumeAfter ?? 0, hard?.resumeAfter ?? 0))
    }
}
