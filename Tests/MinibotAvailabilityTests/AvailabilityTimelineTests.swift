import Foundation
@testable import MinibotAvailability
import MinibotCore
import MinibotHostFacts
import Testing

/// What the plugin foresees of a worker (the timeline picture's bands), with fixed dates.
@Suite struct AvailabilityTimelineTests {
    private func rule(_ when: String, zone: String, mode: RestrictionMode = .unavailable, lead: Double = 0) throws -> WindowRule {
        WindowRule(window: try TimeWindow(when: when, timeZone: zone), mode: mode, lead: lead)
    }

    private func timeline(_ settings: WorkerAvailabilitySettings, flag: AvailabilityFlag? = nil, from: Date,
                          days: Double = 7) -> AvailabilityTimeline {
        AvailabilityPolicy(settings: settings, displayTimeZone: paris)
            .timeline(flag: flag, from: from, to: from.addingTimeInterval(days * 86_400))
    }

    @Test("a Berlin office-hours window over the week of the spring DST change keeps its local hours")
    func windowAcrossDST() throws {
        // Thursday 27 March 2025, inside the window; clocks go forward on Sunday 30 March.
        let from = at("2025-03-27 10:00", "Europe/Berlin")
        let t = timeline(.init(windows: [try rule("Mon-Fri 09:00-17:00", zone: "Europe/Berlin")]), from: from)
        let berlin = { (s: String) in at(s, "Europe/Berlin") }
        #expect(t.bands.map(\.start) == [from, berlin("2025-03-28 09:00"), berlin("2025-03-31 09:00"),
                                        berlin("2025-04-01 09:00"), berlin("2025-04-02 09:00"), berlin("2025-04-03 09:00")])
        #expect(t.bands.map(\.end) == [berlin("2025-03-27 17:00"), berlin("2025-03-28 17:00"), berlin("2025-03-31 17:00"),
                                      berlin("2025-04-01 17:00"), berlin("2025-04-02 17:00"), t.to])
        // 168 hours after 10:00 CET is 11:00 CEST: the last band is cut at the span's end.
        #expect(t.to == berlin("2025-04-03 11:00"))
        // Before the change a band starts at 08:00 UTC, after it at 07:00 UTC.
        #expect(berlin("2025-03-28 09:00").timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) == 8 * 3600)
        #expect(berlin("2025-03-31 09:00").timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) == 7 * 3600)
        #expect(t.bands.allSatisfy { $0.state == .unavailable && $0.source == .window })
        #expect(t.bands[0].label == "restricted hours Mon-Fri 09:00-17:00 Europe/Berlin")
        #expect(t.maxLoad == nil && t.resumeLoad == nil)
    }

    @Test("a lead time is a band of its own before each opening, also when the span starts inside it")
    func leadBands() throws {
        let settings = WorkerAvailabilitySettings(windows: [try rule("Mon 09:00-17:00", zone: "Europe/Paris", lead: 900)])
        let t = timeline(settings, from: at("2025-03-24 08:50"), days: 1)
        #expect(t.bands.map(\.source) == [.lead, .window])
        #expect(t.bands[0].start == at("2025-03-24 08:50") && t.bands[0].end == at("2025-03-24 09:00"))
        #expect(t.bands[0].label == "restricted hours Mon 09:00-17:00 Europe/Paris: 15 min lead before it opens")
        #expect(t.bands[1].end == at("2025-03-24 17:00"))

        let week = timeline(settings, from: at("2025-03-20 12:00"))
        #expect(week.bands.map(\.start) == [at("2025-03-24 08:45"), at("2025-03-24 09:00")])
    }

    @Test("an advisory night window in Tokyo, read from a UTC instant")
    func advisoryWindowInTokyo() throws {
        let settings = WorkerAvailabilitySettings(windows: [try rule("daily 22:00-06:00", zone: "Asia/Tokyo", mode: .advisory)])
        let from = at("2025-06-02 00:00", "UTC")  // 09:00 in Tokyo
        let t = timeline(settings, from: from)
        #expect(t.bands.count == 7)
        #expect(t.bands[0].start == at("2025-06-02 22:00", "Asia/Tokyo") && t.bands[0].end == at("2025-06-03 06:00", "Asia/Tokyo"))
        #expect(t.bands[0].start == at("2025-06-02 13:00", "UTC"))
        #expect(t.bands.allSatisfy { $0.state == .advisory && $0.end.timeIntervalSince($0.start) == 8 * 3600 })
        #expect(t.bands[0].label == "advisory hours daily 22:00-06:00 Asia/Tokyo")
    }

    @Test("a run-time flag lasts until it expires, then the master.cfg flag is in force again")
    func flags() {
        let from = at("2025-03-24 10:00")
        let settings = WorkerAvailabilitySettings(flag: ConfiguredFlag(state: .advisory, reason: "shared box"))
        let anna = AvailabilityFlag(state: .unavailable, reason: "disk swap", setBy: "anna", setAt: from,
                                    expiresAt: from.addingTimeInterval(7200))
        let t = timeline(settings, flag: anna, from: from)
        #expect(t.bands == [
            .init(start: from, end: from.addingTimeInterval(7200), state: .unavailable, source: .flag,
                  label: "flagged by anna: disk swap"),
            .init(start: from.addingTimeInterval(7200), end: t.to, state: .advisory, source: .flag,
                  label: "flagged in master.cfg: shared box"),
        ])
        // An expired run-time flag is no band; an available one hides master.cfg's until it expires.
        var expired = anna
        expired.expiresAt = from.addingTimeInterval(-1)
        #expect(timeline(settings, flag: expired, from: from).bands.map(\.label) == ["flagged in master.cfg: shared box"])
        var clear = anna
        clear.state = .available
        #expect(timeline(settings, flag: clear, from: from).bands.map(\.start) == [from.addingTimeInterval(7200)])
        // A flag without expiry covers the whole span.
        let open = AvailabilityFlag(state: .unavailable, setBy: "bob", setAt: from)
        #expect(timeline(.init(), flag: open, from: from).bands.map(\.label) == ["flagged by bob"])
    }

    @Test("the load thresholds come along, resume defaulting to 80 % of max; the span is bounded")
    func thresholdsAndBounds() {
        let from = at("2025-03-24 10:00")
        let t = timeline(.init(maxLoad: 4, maxCPUPressure: 30), from: from)
        #expect(t.maxLoad == 4 && t.resumeLoad == 3.2 && t.maxCPUPressure == 30)
        #expect(timeline(.init(maxLoad: 4, resumeLoad: 2), from: from).resumeLoad == 2)
        #expect(timeline(.init(), from: from, days: 1000).to == from.addingTimeInterval(AvailabilityPolicy.timelineMaxSpan))
        #expect(timeline(.init(flag: ConfiguredFlag(state: .unavailable)), from: from, days: -1).bands.isEmpty)
    }

    @Test("an always-open window is one band to the end of the span")
    func alwaysOpen() throws {
        let from = at("2025-03-24 10:00")
        let t = timeline(.init(windows: [try rule("daily", zone: "Europe/Paris")]), from: from)
        #expect(t.bands.count == 1 && t.bands[0].start == from && t.bands[0].end == t.to)
    }

    @Test("the plugin answers for configured workers only, with their run-time flag")
    func pluginTimeline() async throws {
        let section = Node.map([("workers", 1, 1, Node.map([
            ("w1", 2, 3, Node.map([
                ("windows", 3, 5, Node.list(3, 14, [Node.map([
                    ("when", 3, 16, Node.scalar("Mon-Fri 09:00-17:00", 3, 22)),
                    ("timezone", 3, 44, Node.scalar("Europe/Berlin", 3, 54)),
                ])])),
            ])),
        ]))])
        let master = MasterConfig(workers: [WorkerSpec(name: "w1", password: "x")])
        let plugin = try AvailabilityPlugin(configuration: section, master: master,
                                            context: TestPluginContext(now: at("2025-03-24 08:00"), workers: ["w1"]),
                                            displayTimeZone: paris)
        let from = at("2025-03-24 08:00", "Europe/Berlin")
        let t = try #require(await plugin.timeline(of: "w1", from: from, to: from.addingTimeInterval(86_400)))
        #expect(t.bands.count == 1 && t.bands[0].start == at("2025-03-24 09:00", "Europe/Berlin"))
        #expect(await plugin.timeline(of: "nobody", from: from, to: from.addingTimeInterval(86_400)) == nil)
        #expect(await plugin.hostAgents() == [])
    }
}
