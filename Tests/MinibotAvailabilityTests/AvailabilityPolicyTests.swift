import Foundation
import MinibotAvailability
import MinibotCore
import MinibotHostFacts
import Testing

@Suite struct AvailabilityPolicyTests {
    private func rule(_ when: String, mode: WorkerAvailabilitySettings.LoadMode = .unavailable, lead: Double = 0) throws -> WindowRule {
        WindowRule(window: try TimeWindow(when: when, timeZone: "Europe/Paris"), mode: mode, lead: lead)
    }

    private func evaluate(_ settings: WorkerAvailabilitySettings, flag: AvailabilityFlag? = nil,
                          load: LoadTracker? = nil, connected: Bool = true, at now: Date) -> Availability {
        AvailabilityPolicy(settings: settings, displayTimeZone: paris)
            .evaluate(flag: flag, load: load ?? LoadTracker(settings: settings), isConnected: connected, now: now)
    }

    // MARK: windows

    @Test func insideAnUnavailableWindow() throws {
        let settings = WorkerAvailabilitySettings(windows: [try rule("Mon-Fri 09:00-17:00")])
        let a = evaluate(settings, at: at("2025-03-24 10:00"))
        #expect(a.state == .unavailable)
        #expect(a.explanation == "unavailable: restricted hours Mon-Fri 09:00-17:00 Europe/Paris, until 17:00 CET")
        #expect(a.until == at("2025-03-24 17:00"))
        #expect(a.untilText == "until 17:00 CET")
        #expect(a.setBy == "window")
        #expect(a.nextChange == at("2025-03-24 17:00"))
        let verdict = a.verdict(for: "w1")
        #expect(verdict.kind == .unavailable)
        #expect(verdict.until == at("2025-03-24 17:00"))

        let after = evaluate(settings, at: at("2025-03-24 17:00"))
        #expect(after.state == .available)
        #expect(after.nextChange == at("2025-03-25 09:00"))
        #expect(after.verdict(for: "w1") == .eligible("w1"))
    }

    @Test func windowAcrossMidnightAndDST() throws {
        // The night of the spring change in Paris: 22:00 CET to 06:00 CEST.
        let settings = WorkerAvailabilitySettings(windows: [try rule("Sat 22:00-06:00")])
        let a = evaluate(settings, at: at("2025-03-30 01:30"))
        #expect(a.state == .unavailable)
        #expect(a.until == at("2025-03-30 06:00"))
        #expect(a.untilText == "until 06:00 CEST")
        #expect(evaluate(settings, at: at("2025-03-30 06:00")).state == .available)
        #expect(evaluate(settings, at: at("2025-03-29 21:59")).nextChange == at("2025-03-29 22:00"))
    }

    @Test func leadStopsBuildsBeforeTheWindowOpens() throws {
        let settings = WorkerAvailabilitySettings(windows: [try rule("Mon-Fri 09:00-17:00", lead: 15 * 60)])
        let early = evaluate(settings, at: at("2025-03-24 08:40"))
        #expect(early.state == .available)
        #expect(early.nextChange == at("2025-03-24 08:45"))

        let lead = evaluate(settings, at: at("2025-03-24 08:50"))
        #expect(lead.state == .unavailable)
        #expect(lead.reason == "restricted hours Mon-Fri 09:00-17:00 Europe/Paris opens at 09:00 CET, 15 min lead")
        #expect(lead.until == at("2025-03-24 17:00"))
        #expect(lead.untilText == "until 17:00 CET")

        // Lead before Monday from a Friday evening: the weekend is free until Monday 08:45.
        let friday = evaluate(settings, at: at("2025-03-28 18:00"))
        #expect(friday.state == .available)
        #expect(friday.nextChange == at("2025-03-31 08:45"))
    }

    @Test func advisoryWindowRanksLast() throws {
        let settings = WorkerAvailabilitySettings(windows: [try rule("Sat,Sun", mode: .advisory)])
        let a = evaluate(settings, at: at("2025-03-29 12:00"))
        #expect(a.state == .advisory)
        #expect(a.explanation == "advisory: ranked last: advisory hours Sat,Sun Europe/Paris, until Mon 00:00 CEST")
        let verdict = a.verdict(for: "w1")
        #expect(verdict.kind == .advisory)
        #expect(verdict.reason == a.summary)
        #expect(verdict.reason == "advisory: ranked last: advisory hours Sat,Sun Europe/Paris")
        // Among several plugins' verdicts advisory stays behind eligible ones.
        #expect(verdict.merged(with: .eligible("w1")).kind == .advisory)
    }

    // MARK: flags

    @Test func flagExpiresByItselfAndRevertsToTheConfiguredFlag() {
        let settings = WorkerAvailabilitySettings(flag: ConfiguredFlag(state: .advisory, reason: "Anna's desktop"))
        let flag = AvailabilityFlag(state: .unavailable, reason: "disk swap", setBy: "bob",
                                    setAt: at("2025-03-24 10:00"), expiresAt: at("2025-03-24 12:00"))
        let during = evaluate(settings, flag: flag, at: at("2025-03-24 11:00"))
        #expect(during.state == .unavailable)
        #expect(during.explanation == "unavailable: flagged by bob: disk swap, until 12:00 CET")
        #expect(during.setBy == "bob")
        #expect(during.until == at("2025-03-24 12:00"))
        #expect(during.nextChange == at("2025-03-24 12:00"))

        let after = evaluate(settings, flag: flag, at: at("2025-03-24 12:00"))
        #expect(after.state == .advisory)
        #expect(after.explanation == "advisory: ranked last: flagged in master.cfg: Anna's desktop")
        #expect(after.setBy == "master.cfg")
        #expect(after.until == nil)
    }

    @Test func availableFlagHidesTheConfiguredFlagButNotWindows() throws {
        let settings = WorkerAvailabilitySettings(flag: ConfiguredFlag(state: .unavailable, reason: "new machine"),
                                                  windows: [try rule("Mon-Fri 09:00-17:00")])
        let flag = AvailabilityFlag(state: .available, setBy: "anna", setAt: at("2025-03-24 08:00"))
        #expect(evaluate(settings, flag: flag, at: at("2025-03-24 08:30")).state == .available)
        #expect(evaluate(settings, flag: nil, at: at("2025-03-24 08:30")).state == .unavailable)
        #expect(evaluate(settings, flag: flag, at: at("2025-03-24 10:00")).setBy == "window")
    }

    @Test func mostSevereCauseDecides() throws {
        let settings = WorkerAvailabilitySettings(flag: ConfiguredFlag(state: .advisory),
                                                  windows: [try rule("Mon-Fri 09:00-17:00")])
        let a = evaluate(settings, at: at("2025-03-24 10:00"))
        #expect(a.state == .unavailable)
        #expect(a.decisive.map(\.source) == [.window])
        #expect(a.causes.map(\.source) == [.window, .flag])
    }

    // MARK: load

    @Test func loadHysteresisWithFlappingSamples() {
        let settings = WorkerAvailabilitySettings(maxLoad: 3)
        var tracker = LoadTracker(settings: settings)
        var now = at("2025-03-24 10:00")
        var states: [AvailabilityState] = []
        for load in [2.0, 3.1, 4.2, 2.9, 3.2, 2.5, 2.3, 2.9, 3.0, 2.8] {
            now = now.addingTimeInterval(5)
            tracker.record(load1: load, cpuPressure: nil, at: now)
            let a = evaluate(settings, load: tracker, at: now)
            states.append(a.state)
            if load == 4.2 {
                #expect(a.explanation == "unavailable: load 4.2 > 3.0, when load < 2.4")
                #expect(a.untilText == "when load < 2.4")
                #expect(a.until == nil)
            }
            if load == 2.9 && a.state == .unavailable {
                #expect(a.reason == "load 2.9 not yet below 2.4 after exceeding 3.0")
            }
        }
        #expect(states == [.available, .unavailable, .unavailable, .unavailable, .unavailable, .unavailable,
                           .available, .available, .available, .available])
    }

    @Test func advisoryLoadModeAndCPUPressure() {
        let settings = WorkerAvailabilitySettings(maxCPUPressure: 40, loadMode: .advisory)
        var tracker = LoadTracker(settings: settings)
        let now = at("2025-03-24 10:00")
        tracker.record(load1: 12, cpuPressure: 55, at: now)
        let a = evaluate(settings, load: tracker, at: now)
        #expect(a.state == .advisory)
        #expect(a.explanation == "advisory: ranked last: cpu pressure 55.0% > 40.0%, when cpu pressure < 32.0%")
        // Reports without pressure figures (an older kernel) do not count as unknown load.
        var older = LoadTracker(settings: settings)
        older.record(load1: 1, cpuPressure: nil, at: now)
        #expect(evaluate(settings, load: older, at: now).state == .available)
    }

    @Test func loadBecomesUnknownAfterThreeMissedReports() {
        let settings = WorkerAvailabilitySettings(maxLoad: 3, statusInterval: 5)
        var tracker = LoadTracker(settings: settings)
        let reported = at("2025-03-24 10:00")
        tracker.record(load1: 1, cpuPressure: nil, at: reported)
        let fresh = evaluate(settings, load: tracker, at: reported.addingTimeInterval(15))
        #expect(fresh.state == .available)
        #expect(fresh.nextChange! > reported.addingTimeInterval(15))
        #expect(fresh.nextChange! < reported.addingTimeInterval(15.1))

        let stale = evaluate(settings, load: tracker, at: reported.addingTimeInterval(16))
        #expect(stale.state == .unavailable)
        #expect(stale.explanation == "unavailable: load unknown (no report for 16 s), when the worker reports its load")

        var lenient = settings
        lenient.onUnknownLoad = .advisory
        #expect(evaluate(lenient, load: tracker, at: reported.addingTimeInterval(16)).state == .advisory)
        lenient.onUnknownLoad = .available
        #expect(evaluate(lenient, load: tracker, at: reported.addingTimeInterval(16)).state == .available)

        // Never reported since connecting: unknown too.
        let never = evaluate(settings, load: LoadTracker(settings: settings), at: reported)
        #expect(never.reason == "load unknown (not reported yet)")
        // Disconnected: load does not apply.
        #expect(evaluate(settings, load: tracker, connected: false, at: reported.addingTimeInterval(60)).state == .available)
    }

    @Test func clockJumpBackwardsDoesNotKeepAStaleLoadFresh() {
        let settings = WorkerAvailabilitySettings(maxLoad: 3, statusInterval: 5)
        var tracker = LoadTracker(settings: settings)
        let reported = at("2025-03-24 10:00")
        tracker.record(load1: 1, cpuPressure: nil, at: reported)
        // The clock jumps back an hour; the report now looks like it came from the future.
        let jumped = reported.addingTimeInterval(-3600)
        tracker.clampReportTime(to: jumped)
        #expect(tracker.lastReportAt == jumped)
        #expect(evaluate(settings, load: tracker, at: jumped.addingTimeInterval(16)).state == .unavailable)
    }

    @Test func noSettingsMeansAvailable() {
        let a = evaluate(WorkerAvailabilitySettings(), at: at("2025-03-24 10:00"))
        #expect(a.state == .available)
        #expect(a.nextChange == nil)
        #expect(a.explanation == nil)
    }
}
