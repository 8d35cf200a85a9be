import Foundation
import MinibotAvailability
import MinibotCore
import MinibotHostFacts
import Testing

/// Truthful times: what a waiting request shows as `until` is the predicted end of its wait,
/// not the distributor's re-check time. Pure: the time is an argument.
@Suite struct WaitEndTests {
    let utc = TimeZone(identifier: "UTC")!

    private func policy(_ settings: WorkerAvailabilitySettings, zone: TimeZone = paris) -> AvailabilityPolicy {
        AvailabilityPolicy(settings: settings, displayTimeZone: zone)
    }

    /// One builder with one worker, through the distributor's pure pass.
    private func waitOf(_ verdict: WorkerVerdict, now: Date) throws -> (reasons: [WaitingReason], next: Date?) {
        let outcome = DistributorPolicy(builders: [BuilderSpec(name: "b", workers: [verdict.worker], steps: [])])
            .decide(pending: [PendingRequest(id: 1, builder: "b", priority: 0, submittedAt: now)],
                    workers: [.init(name: verdict.worker)], locks: LockBook(), now: now) { _, _ in [verdict] }
        #expect(outcome.decisions.isEmpty)
        return (try #require(outcome.waiting[1]), outcome.nextCheck)
    }

    @Test("a flag expiring at T shows until T, though the re-check (a stale load report) comes first")
    func flagExpiry() throws {
        let now = at("2025-03-24 07:00")
        let expiry = at("2025-03-24 07:17:09")
        let settings = WorkerAvailabilitySettings(maxLoad: 3)
        var load = LoadTracker(settings: settings)
        load.record(load1: 1, cpuPressure: nil, at: now)
        let flag = AvailabilityFlag(state: .unavailable, reason: "disk swap", setBy: "bob", setAt: now, expiresAt: expiry)
        let a = policy(settings).evaluate(flag: flag, load: load, isConnected: true, now: now)
        #expect(a.endsAt == expiry)
        #expect(a.endCondition == nil)
        let recheck = try #require(a.nextChange)
        #expect(recheck < expiry)

        let (reasons, next) = try waitOf(a.verdict(for: "w1"), now: now)
        #expect(reasons.map(\.until) == [expiry, expiry])
        #expect(reasons[1].reason == "worker w1 unavailable: flagged by bob: disk swap")
        #expect(reasons[1].kind == .unavailable)
        #expect(reasons.allSatisfy { $0.recheckAt == recheck })
        #expect(next == recheck)
    }

    @Test("a window in another zone shows its end, in the master's zone with the window's beside it")
    func windowInAnotherZone() throws {
        let tokyo = WindowRule(window: try TimeWindow(when: "Mon-Fri 09:00-17:00", timeZone: "Asia/Tokyo"))
        let settings = WorkerAvailabilitySettings(windows: [tokyo])
        let now = at("2025-03-24 03:00", "UTC")  // 12:00 in Tokyo, a Monday
        let a = policy(settings, zone: utc).evaluate(flag: nil, load: LoadTracker(settings: settings), isConnected: true, now: now)
        #expect(a.state == .unavailable)
        #expect(a.endsAt == at("2025-03-24 08:00", "UTC"))
        #expect(a.endsAtZone?.identifier == "Asia/Tokyo")
        #expect(a.explanation == "unavailable: restricted hours Mon-Fri 09:00-17:00 Asia/Tokyo, until 08:00 UTC (17:00 JST)")

        let (reasons, _) = try waitOf(a.verdict(for: "w1"), now: now)
        #expect(reasons[0].until == at("2025-03-24 08:00", "UTC"))
        #expect(reasons[0].untilZone == "Asia/Tokyo")
        #expect(reasons[0].reason == "worker w1 unavailable: restricted hours Mon-Fri 09:00-17:00 Asia/Tokyo")
    }

    @Test("an unknown or high load has no time, only the condition in words")
    func measurementDependent() throws {
        let settings = WorkerAvailabilitySettings(maxLoad: 3, onUnknownLoad: .unavailable)
        let now = at("2025-03-24 10:00")
        let unknown = policy(settings).evaluate(flag: nil, load: LoadTracker(settings: settings), isConnected: true, now: now)
        #expect(unknown.state == .unavailable)
        #expect(unknown.endsAt == nil)
        #expect(unknown.endCondition == "when the worker reports its load")
        let (reasons, _) = try waitOf(unknown.verdict(for: "w1"), now: now)
        #expect(reasons[0].until == nil)
        #expect(reasons[0].condition == "when the worker reports its load")

        var load = LoadTracker(settings: settings)
        load.record(load1: 4.2, cpuPressure: nil, at: now)
        let high = policy(settings).evaluate(flag: nil, load: load, isConnected: true, now: now)
        #expect(high.endsAt == nil)
        #expect(high.endCondition == "when load < 2.4")
    }

    @Test("causes that follow each other: the wait ends when the last one does")
    func chained() throws {
        let day = WindowRule(window: try TimeWindow(when: "Mon-Fri 09:00-12:00", timeZone: "Europe/Paris"))
        let afternoon = WindowRule(window: try TimeWindow(when: "Mon-Fri 12:30-17:00", timeZone: "Europe/Paris"), lead: 3600)
        let settings = WorkerAvailabilitySettings(windows: [day, afternoon])
        let now = at("2025-03-24 10:00")
        let flag = AvailabilityFlag(state: .unavailable, setBy: "bob", setAt: now, expiresAt: at("2025-03-24 11:00"))
        let a = policy(settings).evaluate(flag: flag, load: LoadTracker(settings: settings), isConnected: true, now: now)
        // The flag ends at 11:00, the morning window at 12:00, but the afternoon's lead began at 11:30.
        #expect(a.endsAt == at("2025-03-24 17:00"))
        #expect(a.nextChange == at("2025-03-24 11:00"))

        let forever = AvailabilityFlag(state: .unavailable, setBy: "bob", setAt: now)
        let b = policy(settings).evaluate(flag: forever, load: LoadTracker(settings: settings), isConnected: true, now: now)
        #expect(b.endsAt == nil)
        #expect(b.endCondition == nil)
    }

    @Test("two plugins' unavailable verdicts: usable when both have ended, unknown if either is")
    func mergedEnds() {
        let t = at("2025-03-24 10:00")
        let window = WorkerVerdict.unavailable("w1", reason: "a", until: t, endsAt: t.addingTimeInterval(3600), endsAtZone: "Asia/Tokyo")
        let flag = WorkerVerdict.unavailable("w1", reason: "b", until: t.addingTimeInterval(60), endsAt: t.addingTimeInterval(600))
        let both = window.merged(with: flag)
        #expect(both.endsAt == t.addingTimeInterval(3600) && both.endsAtZone == "Asia/Tokyo")
        #expect(both.until == t)
        let load = WorkerVerdict.unavailable("w1", reason: "c", endCondition: "when load < 2.4")
        let unknown = window.merged(with: load)
        #expect(unknown.endsAt == nil && unknown.endCondition == "when load < 2.4")
        // An advisory verdict does not hold the worker back: the unavailable one decides.
        #expect(WorkerVerdict.advisory("w1", reason: "d").merged(with: flag).endsAt == t.addingTimeInterval(600))
    }

    @Test("zone labels: UTC is UTC, not GMT; a zone reading the same is not repeated")
    func labels() {
        let date = at("2025-03-24 08:00", "UTC")
        #expect(TimeLabel.text(date, relativeTo: date, in: utc) == "08:00 UTC")
        #expect(TimeLabel.text(date, relativeTo: date, in: paris, alsoIn: TimeZone(identifier: "Europe/Berlin")) == "09:00 CET")
        #expect(TimeLabel.label(TimeZone(identifier: "Asia/Kathmandu")!, at: date) == "UTC+05:45")
    }

    @Test("by kind: how many workers each obstacle holds back, and the earliest end")
    func summary() {
        let t = at("2025-03-24 10:00")
        let s = WaitingSummary([
            WaitingReason(reason: "no usable worker (1 busy, 2 unavailable)"),
            WaitingReason(worker: "a", reason: "worker a busy (1/1 builds)", kind: .busy),
            WaitingReason(worker: "b", reason: "worker b unavailable: x", kind: .unavailable, until: t.addingTimeInterval(60)),
            WaitingReason(worker: "c", reason: "worker c unavailable: y", kind: .unavailable, until: t, untilZone: "Asia/Tokyo"),
        ])
        #expect(s.entries == [.init(kind: .busy, workers: 1), .init(kind: .unavailable, workers: 2, until: t, untilZone: "Asia/Tokyo")])
    }
}
