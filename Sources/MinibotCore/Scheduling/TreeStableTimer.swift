import Foundation

/// Waits for the tree to be stable before a scheduler builds: `tree_stable_timer` seconds
/// with no new change on a branch of a repository, then fires with all the changes seen,
/// to be built at the newest one.
///
/// A pure value owned by one scheduler (a service in the master). The scheduler feeds it
/// changes with ``changeArrived(_:isImportant:now:)``, sleeps until ``nextDeadline`` (or the
/// next change) and calls ``due(now:)``. Each repository and branch has its own timer, so a
/// scheduler matching several branches builds each one.
///
/// Like Buildbot, a change that does not match the scheduler's file filter is *unimportant*:
/// it neither starts nor restarts the timer, but it is included when an important change
/// fires, since the build is at the newest revision anyway.
public struct TreeStableTimer: Sendable, Equatable {
    /// The repository and branch a timer runs for.
    public struct Key: Sendable, Hashable {
        public var repository: String
        public var branch: String

        public init(repository: String, branch: String) {
            self.repository = repository
            self.branch = branch
        }
    }

    /// Changes ready to build: one buildset at ``newest``.
    public struct Firing: Sendable, Equatable {
        public var key: Key
        /// Every change gathered since the last firing, in arrival order.
        public var changes: [Change]

        /// The change to build (the last to arrive).
        public var newest: Change { changes[changes.count - 1] }
    }

    private struct Gathering: Sendable, Equatable {
        var changes: [Change] = []
        /// Set once an important change arrived; nil while only unimportant ones wait.
        var deadline: Date?
    }

    /// Seconds of quiet before firing; 0 fires on the change itself.
    public var stableFor: Double
    private var gathering: [Key: Gathering] = [:]

    public init(stableFor: Double) {
        self.stableFor = max(0, stableFor)
    }

    /// Records a change. Returns the firing at once when the timer is 0 and the change is
    /// important; otherwise nil (see ``nextDeadline``).
    public mutating func changeArrived(_ change: Change, isImportant: Bool = true, now: Date) -> Firing? {
        let key = Key(repository: change.repository, branch: change.branch)
        var g = gathering[key] ?? Gathering()
        g.changes.append(change)
        if isImportant { g.deadline = now.addingTimeInterval(stableFor) }
        gathering[key] = g
        if isImportant && stableFor == 0 {
            gathering[key] = nil
            return Firing(key: key, changes: g.changes)
        }
        return nil
    }

    /// The firings whose quiet time has passed at `now`, oldest deadline first; they are
    /// forgotten here.
    public mutating func due(now: Date) -> [Firing] {
        let ready = gathering.filter { $0.value.deadline.map { $0 <= now } ?? false }
            .sorted { ($0.value.deadline!, $0.key.repository, $0.key.branch) < ($1.value.deadline!, $1.key.repository, $1.key.branch) }
        for (key, _) in ready { gathering[key] = nil }
        return ready.map { Firing(key: $0.key, changes: $0.value.changes) }
    }

    /// When to call ``due(now:)`` next; nil when no important change waits.
    public var nextDeadline: Date? {
        gathering.values.compactMap(\.deadline).min()
    }

    /// Changes gathered and not fired yet, per repository and branch.
    public var waitingChanges: [Key: [Change]] {
        gathering.mapValues(\.changes)
    }
}
