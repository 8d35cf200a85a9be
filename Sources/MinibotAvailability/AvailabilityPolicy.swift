import Foundation
import MinibotCore
import MinibotHostFacts

/// Decides one worker's availability from its settings, its flag, its load and the time.
///
/// Pure: no clock, no state, no I/O. Everything is recomputed from `now` on each call, so a
/// jump of the wall clock (either way) just gives the verdict of the new time; nothing is
/// derived from elapsed-time arithmetic kept across calls.
///
/// Rules, most severe cause wins (`unavailable` > `advisory` > `available`):
/// - the flag in force: the run-time flag while it has not expired, else the one from
///   `master.cfg`; an `available` flag is no cause;
/// - every window that contains `now`, or opens within its `lead`, gives its mode;
/// - while connected with `owner_idle`: an owner active within `after`, or not reported,
///   gives its mode (``OwnerPresence``);
/// - while connected and watching load: a blocked load or CPU-pressure threshold gives
///   `load_mode`; a load not reported yet, or not for three status intervals, gives
///   `on_unknown_load`.
///
/// An unavailable verdict also says when the worker predictably becomes usable
/// (``Availability/endsAt``): the policy is asked again at each of its own change points
/// (flag expiry, window end, a window opening) with the load left out, until the answer is
/// no longer unavailable; when a measurement decides instead (load, pressure, a missing
/// report), there is no time but a condition in words (`when load < 2.4`).
public struct AvailabilityPolicy: Sendable {
    public var settings: WorkerAvailabilitySettings
    /// Where flag expiries are shown (`until 17:00`); the master's local zone by default.
    public var displayTimeZone: TimeZone

    public init(settings: WorkerAvailabilitySettings, displayTimeZone: TimeZone = .current) {
        self.settings = settings
        self.displayTimeZone = displayTimeZone
    }

    /// The flag in force at `now`: a run-time flag that has not expired, else the configured one.
    public func flagInForce(runtime: AvailabilityFlag?, now: Date) -> AvailabilityFlag? {
        if let runtime, runtime.isActive(at: now) { return runtime }
        return settings.flag.map {
            AvailabilityFlag(state: $0.state, reason: $0.reason, setBy: "master.cfg", setAt: .distantPast)
        }
    }

    public func evaluate(flag runtimeFlag: AvailabilityFlag?, load: LoadTracker, owner: OwnerPresence = OwnerPresence(),
                         isConnected: Bool, now: Date) -> Availability {
        var availability = evaluate(flag: runtimeFlag, load: load, isConnected: isConnected, now: now, includeLoad: true)
        if isConnected, let rule = settings.ownerIdle {
            // A measurement like the load: it joins the verdict here, and the predicted end
            // below gives its condition rather than a time.
            let owner = owner.cause(rule, staleAfter: settings.unknownLoadAfter, now: now)
            if let cause = owner.cause { availability.add(cause, change: owner.change, now: now) }
        }
        let end = predictedEnd(of: availability, flag: runtimeFlag, load: load, isConnected: isConnected, now: now)
        availability.endsAt = end.at
        availability.endsAtZone = end.zone
        availability.endCondition = end.condition
        return availability
    }

    /// How many change points ``predictedEnd(of:flag:load:isConnected:now:)`` follows at most:
    /// windows recur weekly, so a handful covers any real configuration.
    static let predictionSteps = 64

    /// When an unavailable worker becomes usable by itself, by asking the same rules again at
    /// each change point (load left out: nobody can predict a measurement).
    private func predictedEnd(of current: Availability, flag: AvailabilityFlag?, load: LoadTracker, isConnected: Bool,
                              now: Date) -> (at: Date?, zone: TimeZone?, condition: String?) {
        guard current.state == .unavailable else { return (nil, nil, nil) }
        var conditions: [String] = []
        for condition in current.decisive.compactMap(\.condition) where !conditions.contains(condition) {
            conditions.append(condition)
        }
        if !conditions.isEmpty { return (nil, nil, conditions.joined(separator: ", ")) }
        var t = now
        var step = evaluate(flag: flag, load: load, isConnected: isConnected, now: t, includeLoad: false)
        var zone: TimeZone?
        for _ in 0..<Self.predictionSteps {
            if step.state != .unavailable { return (t, zone, nil) }
            guard let next = step.nextChange else { return (nil, nil, nil) }  // never ends by itself
            zone = step.decisive.first { $0.until == next && $0.zone != nil }?.zone
            t = next
            step = evaluate(flag: flag, load: load, isConnected: isConnected, now: t, includeLoad: false)
        }
        return (nil, nil, nil)
    }

    private func evaluate(flag runtimeFlag: AvailabilityFlag?, load: LoadTracker, isConnected: Bool, now: Date,
                          includeLoad: Bool) -> Availability {
        var causes: [Availability.Cause] = []
        var changes: [Date] = []

        // Flag.
        if let runtimeFlag, let expiry = runtimeFlag.expiresAt, expiry > now { changes.append(expiry) }
        let flag = flagInForce(runtime: runtimeFlag, now: now)
        if let flag, flag.state != .available {
            let who = flag.setBy == "master.cfg" ? "flagged in master.cfg" : "flagged by \(flag.setBy)"
            causes.append(.init(
                source: .flag, state: flag.state,
                reason: flag.reason.isEmpty ? who : "\(who): \(flag.reason)",
                setBy: flag.setBy, until: flag.expiresAt,
                untilText: flag.expiresAt.map { "until " + TimeLabel.text($0, relativeTo: now, in: displayTimeZone) }))
        }

        // Windows.
        for rule in settings.windows {
            let window = rule.window
            let described = "\(rule.reason) \(window)"
            func until(_ end: Date) -> String {
                "until " + TimeLabel.text(end, relativeTo: now, in: displayTimeZone, alsoIn: window.timeZone)
            }
            if window.contains(now) {
                let end = window.currentEnd(after: now)
                if let end { changes.append(end) }
                causes.append(.init(source: .window, state: rule.state, reason: described, setBy: "window",
                                    until: end, untilText: end.map(until), zone: window.timeZone))
            } else if let opens = window.nextStart(after: now) {
                let leadStart = opens.addingTimeInterval(-rule.lead)
                if rule.lead > 0 && leadStart <= now {
                    // Inside the lead time: blocked from now to the end of the window.
                    let end = window.currentEnd(after: opens)
                    changes.append(opens)
                    let at = TimeLabel.text(opens, relativeTo: now, in: displayTimeZone, alsoIn: window.timeZone)
                    causes.append(.init(
                        source: .window, state: rule.state,
                        reason: "\(described) opens at \(at), \(DurationText.describe(rule.lead)) lead",
                        setBy: "window", until: end, untilText: end.map(until), zone: window.timeZone))
                } else {
                    changes.append(leadStart)
                }
            }
        }

        // Load.
        if includeLoad && isConnected && settings.watchesLoad {
            let loadCauses = evaluateLoad(load, now: now)
            causes += loadCauses.causes
            if let change = loadCauses.change { changes.append(change) }
        }

        let state = causes.map(\.state).max() ?? .available
        // Decisive causes first, keeping their order otherwise.
        let ordered = causes.filter { $0.state == state } + causes.filter { $0.state != state }
        var availability = Availability(state: state, causes: ordered, nextChange: changes.filter { $0 > now }.min(),
                                        isConnected: isConnected, flag: flag,
                                        load1: isConnected ? load.load1 : nil, cpuPressure: isConnected ? load.cpuPressure : nil)
        if isConnected {
            availability.memoryPressure = load.values[.memoryPressure]
            availability.ioPressure = load.values[.ioPressure]
            availability.freeMemory = load.values[.freeMemory]
        }
        return availability
    }

    private func evaluateLoad(_ load: LoadTracker, now: Date) -> (causes: [Availability.Cause], change: Date?) {
        let loadState: AvailabilityState = settings.loadMode == .unavailable ? .unavailable : .advisory
        guard let last = load.lastReportAt, now.timeIntervalSince(last) <= settings.unknownLoadAfter else {
            guard settings.onUnknownLoad != .available else { return ([], nil) }
            let why = load.lastReportAt.map {
                "load unknown (no report for \(DurationText.describe(now.timeIntervalSince($0))))"
            } ?? "load unknown (not reported yet)"
            return ([.init(source: .unknownLoad, state: settings.onUnknownLoad, reason: why, setBy: "load",
                           condition: "when the worker reports its load")], nil)
        }
        // The moment the load becomes unknown if no report arrives.
        let change = last.addingTimeInterval(settings.unknownLoadAfter + 0.001)
        var causes: [Availability.Cause] = []
        for signal in LoadSignal.allCases {
            // A signal the worker did not report (an older worker, a kernel without PSI)
            // holds nothing back: its threshold waits for the next report that has it.
            guard let threshold = load.thresholds[signal], threshold.isBlocked, let value = load.values[signal] else { continue }
            causes.append(Self.cause(signal, threshold, value: value, state: loadState, now: now))
        }
        return (causes, change)
    }

    /// Why a blocked threshold holds the worker back, and what it waits for:
    /// `memory pressure 23.4% > 20.0%` `when memory pressure < 16.0%`, or with `resume_after`
    /// `memory pressure 9.0% below 16.0% for 30s of 2m` `when memory pressure < 16.0% for 2m`.
    static func cause(_ signal: LoadSignal, _ threshold: LoadHysteresis, value: Double, state: AvailabilityState,
                      now: Date) -> Availability.Cause {
        let f = signal.format
        let isAbove = threshold.direction == .above
        let past = isAbove ? ">" : "<", back = isAbove ? "below" : "above"
        let reason: String
        if let hard = threshold.hard, threshold.isPast(value, hard) {
            reason = "\(signal.noun) \(f(value)) \(past) \(f(hard)) (hard limit)"
        } else if threshold.isPast(value, threshold.max) {
            reason = "\(signal.noun) \(f(value)) \(past) \(f(threshold.max))"
        } else if threshold.isBack(value), let since = threshold.recoveringSince {
            reason = "\(signal.noun) \(f(value)) \(back) \(f(threshold.resume)) for "
                + "\(DurationText.describe(max(0, now.timeIntervalSince(since)))) of \(DurationText.describe(threshold.resumeAfter))"
        } else {
            reason = "\(signal.noun) \(f(value)) not yet \(back) \(f(threshold.resume)) after "
                + (isAbove ? "exceeding \(f(threshold.max))" : "falling below \(f(threshold.max))")
        }
        let held = threshold.resumeAfter > 0 ? " for \(DurationText.describe(threshold.resumeAfter))" : ""
        return .init(source: signal.source, state: state, reason: reason, setBy: "load",
                     condition: "when \(signal.noun) \(isAbove ? "<" : ">") \(f(threshold.resume))\(held)")
    }

    /// One decimal: `4.2`, `3.0`, `2.4` (any finite value; reports are bounded at the wire).
    static func format(_ value: Double) -> String {
        value.isFinite ? String(format: "%.1f", value) : "\(value)"
    }
}
