import Foundation
import MinibotCore

/// What the master knows of the owner at a worker's keyboard: the last ``OwnerActivity``
/// report and when it arrived (master time), and the `owner_idle` rule over it.
///
/// Pure: ``cause(_:staleAfter:now:)`` takes the time. The idle time at `now` is the reported
/// one plus the time since the report, so the rule frees the worker on time without another
/// report; a new report (the owner came back) corrects it. A report older than `staleAfter`,
/// or none, makes the owner unknown, which holds the worker back like an active owner: the
/// rule protects the owner, so an unread keyboard is not taken for an idle one.
public struct OwnerPresence: Sendable, Equatable {
    public private(set) var activity: OwnerActivity?
    public private(set) var reportedAt: Date?

    public init() {}

    /// One status report's reading (nil: the worker could not read it) received at `time`.
    public mutating func record(_ activity: OwnerActivity?, at time: Date) {
        self.activity = activity
        reportedAt = activity == nil ? nil : time
    }

    /// The worker went away: what it said says nothing now.
    public mutating func forget() {
        activity = nil
        reportedAt = nil
    }

    /// The rule's cause at `now` (nil: the owner is idle long enough, or nobody is at the
    /// keyboard), and when it ends by itself if no new input comes (the distributor's re-check).
    public func cause(_ rule: OwnerIdleSettings, staleAfter: Double, now: Date) -> (cause: Availability.Cause?, change: Date?) {
        let wanted = "idle after \(DurationText.describe(rule.after))"
        let condition = "when the owner has been idle \(DurationText.describe(rule.after))"
        guard let activity, let reportedAt, now.timeIntervalSince(reportedAt) <= staleAfter else {
            let why = reportedAt == nil ? "not reported" : "no report for \(DurationText.describe(now.timeIntervalSince(reportedAt ?? now)))"
            return (Availability.Cause(source: .owner, state: rule.state, reason: "owner activity unknown (\(why); \(wanted))",
                                       setBy: "owner_idle", condition: "when the worker reports its owner's activity"), nil)
        }
        guard let reported = activity.idleSeconds else { return (nil, nil) }  // nobody at the keyboard
        let idle = reported + max(now.timeIntervalSince(reportedAt), 0)
        guard idle < rule.after else { return (nil, nil) }
        let ends = reportedAt.addingTimeInterval(rule.after - reported)
        return (Availability.Cause(source: .owner, state: rule.state,
                                   reason: "owner active \(Self.ago(idle)) (\(wanted))", setBy: "owner_idle",
                                   condition: condition), ends)
    }

    /// `now`, `40 s ago`, `2 min ago`, `1 h 5 min ago`: whole seconds below a minute, whole
    /// minutes above (rounded down: "active 2 min ago" is never later than true).
    static func ago(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 1 else { return "now" }
        let whole = seconds < 60 ? seconds.rounded(.down) : (seconds / 60).rounded(.down) * 60
        return DurationText.describe(whole) + " ago"
    }
}
