import Foundation
import MinibotCore
import MinibotHostFacts

/// What the builds running on one worker do while it is unavailable (`while_unavailable`):
/// given the worker's verdict, its running builds and how each is held now, and `now`, the
/// holds to ask for and when to ask again.
///
/// The rules:
/// - Only an `unavailable` verdict acts; `advisory` (and `available`) releases every hold.
/// - `finish`: nothing is held (a hold left from a previous configuration is released).
/// - `renice`: a build not yet reniced is reniced; it stays so while the worker is
///   unavailable. A suspended one (the mode changed) is resumed first.
/// - `suspend`: a build not yet suspended is suspended; one suspended for `max_suspend` or
///   longer ends RETRY ("suspended 1h, longer than max_suspend 1h"), and the re-check time is
///   when the earliest `max_suspend` runs out.
/// - A build whose worker cannot hold steps (``RunningBuild/canHold`` false: a stock
///   buildbot-worker, or a retry already asked for) is left alone.
///
/// Pure: the plugin feeds it from its verdicts and carries the actions out.
public struct BuildHoldPolicy: Sendable {
    public var mode: WorkerAvailabilitySettings.WhileUnavailable
    public var maxSuspend: Double
    /// Where "since 14:02 CET" is written.
    public var displayTimeZone: TimeZone

    public init(mode: WorkerAvailabilitySettings.WhileUnavailable, maxSuspend: Double, displayTimeZone: TimeZone) {
        self.mode = mode
        self.maxSuspend = maxSuspend
        self.displayTimeZone = displayTimeZone
    }

    public init(settings: WorkerAvailabilitySettings, displayTimeZone: TimeZone) {
        self.init(mode: settings.whileUnavailable, maxSuspend: settings.maxSuspend, displayTimeZone: displayTimeZone)
    }

    /// How a running build is held now.
    public struct Hold: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case suspended, reniced }
        public var kind: Kind
        public var since: Date

        public init(_ kind: Kind, since: Date) {
            self.kind = kind
            self.since = since
        }
    }

    /// One build running on the worker.
    public struct RunningBuild: Sendable, Equatable {
        public var requestID: Int64
        public var hold: Hold?
        public var canHold: Bool

        public init(requestID: Int64, hold: Hold? = nil, canHold: Bool = true) {
            self.requestID = requestID
            self.hold = hold
            self.canHold = canHold
        }
    }

    public enum Action: Sendable, Equatable {
        /// `reason`: what the state string shows after `suspended: ` ("load 4.2 > 3.0 (since 14:02 CET)").
        case suspend(requestID: Int64, reason: String)
        case renice(requestID: Int64, reason: String)
        case resume(requestID: Int64)
        /// `max_suspend` ran out: the build ends RETRY and runs elsewhere.
        case retry(requestID: Int64, reason: String)
    }

    public struct Decision: Sendable, Equatable {
        public var actions: [Action]
        /// When to decide again by itself: the earliest `max_suspend` end; nil: only a new
        /// verdict or a build changes anything.
        public var recheckAt: Date?
    }

    /// The actions for `builds` under `verdict` at `now`.
    public func decide(verdict: Availability, builds: [RunningBuild], now: Date) -> Decision {
        var actions: [Action] = []
        var recheck: Date?
        let acts = verdict.state == .unavailable && mode != .finish
        let since = TimeLabel.text(now, relativeTo: now, in: displayTimeZone)
        let reason = "\(verdict.reason ?? "unavailable") (since \(since))"
        for build in builds where build.canHold {
            let id = build.requestID
            guard acts else {
                if build.hold != nil { actions.append(.resume(requestID: id)) }
                continue
            }
            switch (mode, build.hold?.kind) {
            case (.suspend, .suspended):
                let held = build.hold!.since
                let end = held.addingTimeInterval(maxSuspend)
                if now >= end {
                    let text = "suspended \(DurationText.describe(now.timeIntervalSince(held))), "
                        + "longer than max_suspend \(DurationText.describe(maxSuspend))"
                    actions.append(.retry(requestID: id, reason: text))
                } else {
                    recheck = min(recheck ?? end, end)
                }
            case (.suspend, _):
                actions.append(.suspend(requestID: id, reason: reason))
                let end = now.addingTimeInterval(maxSuspend)
                recheck = min(recheck ?? end, end)
            case (.renice, .reniced):
                break
            case (.renice, .suspended):
                actions += [.resume(requestID: id), .renice(requestID: id, reason: reason)]
            case (.renice, nil):
                actions.append(.renice(requestID: id, reason: reason))
            case (.finish, _):
                break  // `acts` is false for finish
            }
        }
        return Decision(actions: actions, recheckAt: recheck)
    }
}
