import Foundation
import MinibotAvailability
import MinibotCore
import MinibotHostFacts
import Testing

/// The owner-at-the-keyboard rule as plain values, with the time as an argument.
@Suite struct OwnerIdleTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private func evaluate(_ rule: OwnerIdleSettings, _ owner: OwnerPresence, connected: Bool = true, at now: Date) -> Availability {
        var settings = WorkerAvailabilitySettings()
        settings.ownerIdle = rule
        return AvailabilityPolicy(settings: settings, displayTimeZone: paris)
            .evaluate(flag: nil, load: LoadTracker(settings: settings), owner: owner, isConnected: connected, now: now)
    }

    private func reported(_ idle: Double?, at time: Date) -> OwnerPresence {
        var owner = OwnerPresence()
        owner.record(OwnerActivity(idleSeconds: idle, source: "idle file"), at: time)
        return owner
    }

    @Test("strict: an owner active 2 min ago holds the worker back until the session has been idle 10 min")
    func strictUntilIdleLongEnough() {
        let rule = OwnerIdleSettings(after: 600, mode: .strict)
        let owner = reported(120, at: t0)
        let now = evaluate(rule, owner, at: t0)
        #expect(now.state == .unavailable)
        #expect(now.explanation == "unavailable: owner active 2 min ago (idle after 10 min), when the owner has been idle 10 min")
        #expect(now.endCondition == "when the owner has been idle 10 min")
        #expect(now.endsAt == nil)
        // The distributor looks again when the idle time reaches 10 min.
        #expect(now.nextChange == t0.addingTimeInterval(480))
        let verdict = now.verdict(for: "w1")
        #expect(verdict.kind == .unavailable && verdict.until == t0.addingTimeInterval(480))

        // Between reports (every 5 s) the idle time grows with the clock; the rule frees the
        // worker at the very moment it reaches 10 min.
        #expect(evaluate(rule, owner, at: t0.addingTimeInterval(10)).reason == "owner active 2 min ago (idle after 10 min)")
        let later = reported(595, at: t0.addingTimeInterval(475))
        #expect(evaluate(rule, later, at: t0.addingTimeInterval(479)).reason == "owner active 9 min ago (idle after 10 min)")
        #expect(evaluate(rule, later, at: t0.addingTimeInterval(479)).nextChange == t0.addingTimeInterval(480))
        #expect(evaluate(rule, later, at: t0.addingTimeInterval(480)).state == .available)
    }

    @Test("advisory: an active owner ranks the worker last instead")
    func advisoryRanksLast() {
        let a = evaluate(OwnerIdleSettings(after: 600, mode: .advisory), reported(0, at: t0), at: t0)
        #expect(a.state == .advisory)
        #expect(a.explanation == "advisory: ranked last: owner active now (idle after 10 min), when the owner has been idle 10 min")
        #expect(a.verdict(for: "w1").kind == .advisory)
    }

    @Test("nobody at the keyboard (no session, screen locked): usable; a new report of input holds it again")
    func nobodyThenBack() {
        let rule = OwnerIdleSettings(after: 600)
        var owner = reported(nil, at: t0)
        #expect(evaluate(rule, owner, at: t0).state == .available)
        owner.record(OwnerActivity(idleSeconds: 5, source: "logind session 2"), at: t0.addingTimeInterval(5))
        #expect(evaluate(rule, owner, at: t0.addingTimeInterval(5)).reason == "owner active 5 s ago (idle after 10 min)")
    }

    @Test("not reported, or a report gone stale: held back like an active owner, with the condition in words")
    func unknown() {
        let rule = OwnerIdleSettings(after: 600)
        let never = evaluate(rule, OwnerPresence(), at: t0)
        #expect(never.state == .unavailable)
        #expect(never.reason == "owner activity unknown (not reported; idle after 10 min)")
        #expect(never.endCondition == "when the worker reports its owner's activity")
        // Three status intervals (15 s) without a report.
        let stale = evaluate(rule, reported(3600, at: t0), at: t0.addingTimeInterval(16))
        #expect(stale.reason == "owner activity unknown (no report for 16 s; idle after 10 min)")
        // A worker that could not read it says so with nil.
        var unread = OwnerPresence()
        unread.record(nil, at: t0)
        #expect(evaluate(rule, unread, at: t0).reason == "owner activity unknown (not reported; idle after 10 min)")
        // Disconnected: the rule is not asked.
        #expect(evaluate(rule, OwnerPresence(), connected: false, at: t0).causes.allSatisfy { $0.source != .owner })
    }

    @Test("the owner rule combines with a window: the most severe wins, the window's end stays the predicted end")
    func withWindow() throws {
        var settings = WorkerAvailabilitySettings(windows: [
            WindowRule(window: try TimeWindow(when: "Mon-Fri 09:00-17:00", timeZone: "Europe/Paris"), mode: .unavailable),
        ])
        settings.ownerIdle = OwnerIdleSettings(after: 600, mode: .advisory)
        let now = at("2025-03-24 10:00")
        var owner = OwnerPresence()
        owner.record(OwnerActivity(idleSeconds: 0, source: "idle file"), at: now)
        let a = AvailabilityPolicy(settings: settings, displayTimeZone: paris)
            .evaluate(flag: nil, load: LoadTracker(settings: settings), owner: owner, isConnected: true, now: now)
        #expect(a.state == .unavailable)
        #expect(a.causes.map(\.source) == [.window, .owner])
        #expect(a.endsAt == at("2025-03-24 17:00"))
        #expect(a.nextChange == now.addingTimeInterval(600))
    }

    @Test("owner_idle in master.cfg: after and mode, strict by default; errors with their place")
    func configuration() throws {
        let master = MasterConfig(workers: [WorkerSpec(name: "w1", password: "x"), WorkerSpec(name: "w2", password: "y")])
        let node = Node.map([
            ("default", 2, 5, Node.map([("owner_idle", 2, 15, Node.map([("after", 2, 28, Node.scalar("10m", 2, 35))]))])),
            ("workers", 3, 5, Node.map([
                ("w2", 4, 7, Node.map([("owner_idle", 4, 11, Node.map([
                    ("after", 4, 24, Node.scalar("5m", 4, 31)), ("mode", 4, 35, Node.scalar("advisory", 4, 41)),
                ]))])),
            ])),
        ])
        #expect(AvailabilityPlugin.checkConfiguration(node, master: master).isEmpty)
        let config = try AvailabilityConfiguration(node: node, master: master)
        #expect(config.settings(for: "w1").ownerIdle == OwnerIdleSettings(after: 600, mode: .strict))
        #expect(config.settings(for: "w2").ownerIdle == OwnerIdleSettings(after: 300, mode: .advisory))

        let bad = Node.map([
            ("default", 2, 5, Node.map([("owner_idle", 2, 15, Node.map([("mode", 2, 28, Node.scalar("sometimes", 2, 34))]))])),
            ("workers", 3, 5, Node.map([
                ("w1", 4, 7, Node.map([("owner_idle", 4, 11, Node.map([
                    ("after", 4, 24, Node.scalar("0s", 4, 31)), ("idle", 4, 35, Node.scalar("x", 4, 41)),
                ]))])),
            ])),
        ])
        let errors = AvailabilityPlugin.checkConfiguration(bad, master: master).map(\.description)
        #expect(errors.contains { $0.hasPrefix("master.cfg:2:28: 'owner_idle' needs 'after'") }, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("master.cfg:4:31: 'after' must be longer than zero") }, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("master.cfg:4:35: unknown key 'idle'") }, "\(errors)")
    }
}
