import Foundation
import MinibotAvailability
import MinibotCore
import Testing

/// `while_unavailable` as a pure decision: a verdict, the running builds and the time in,
/// the holds and the re-check time out. The clock is the `now` each call is given.
@Suite struct BuildHoldPolicyTests {
    let t0 = at("2025-03-24 14:02")

    func verdict(_ state: AvailabilityState, _ reason: String = "load 4.2 > 3.0") -> Availability {
        guard state != .available else { return Availability(state: .available, causes: [], nextChange: nil, isConnected: true) }
        return Availability(state: state, causes: [.init(source: .load, state: state, reason: reason, setBy: "load")],
                            nextChange: nil, isConnected: true)
    }

    func policy(_ mode: WorkerAvailabilitySettings.WhileUnavailable, maxSuspend: Double = 3600) -> BuildHoldPolicy {
        BuildHoldPolicy(mode: mode, maxSuspend: maxSuspend, displayTimeZone: paris)
    }

    @Test func suspendsThenResumesWhenUsableAgain() {
        let p = policy(.suspend)
        let first = p.decide(verdict: verdict(.unavailable), builds: [.init(requestID: 7)], now: t0)
        #expect(first.actions == [.suspend(requestID: 7, reason: "load 4.2 > 3.0 (since 14:02 CET)")])
        #expect(first.recheckAt == t0.addingTimeInterval(3600))

        let held = BuildHoldPolicy.RunningBuild(requestID: 7, hold: .init(.suspended, since: t0))
        let later = t0.addingTimeInterval(600)
        let still = p.decide(verdict: verdict(.unavailable), builds: [held], now: later)
        #expect(still.actions.isEmpty)
        #expect(still.recheckAt == t0.addingTimeInterval(3600))

        let usable = p.decide(verdict: verdict(.available), builds: [held], now: later)
        #expect(usable.actions == [.resume(requestID: 7)])
        #expect(usable.recheckAt == nil)
    }

    @Test func aBuildSuspendedForMaxSuspendIsRetried() {
        let p = policy(.suspend, maxSuspend: 3600)
        let held = BuildHoldPolicy.RunningBuild(requestID: 7, hold: .init(.suspended, since: t0))
        let almost = p.decide(verdict: verdict(.unavailable), builds: [held], now: t0.addingTimeInterval(3599))
        #expect(almost.actions.isEmpty)
        let out = p.decide(verdict: verdict(.unavailable), builds: [held], now: t0.addingTimeInterval(3600))
        #expect(out.actions == [.retry(requestID: 7, reason: "suspended 1 h, longer than max_suspend 1 h")])
    }

    @Test func theEarliestMaxSuspendEndIsTheRecheck() {
        let p = policy(.suspend, maxSuspend: 120)
        let builds: [BuildHoldPolicy.RunningBuild] = [
            .init(requestID: 1, hold: .init(.suspended, since: t0.addingTimeInterval(30))),
            .init(requestID: 2, hold: .init(.suspended, since: t0)),
        ]
        #expect(p.decide(verdict: verdict(.unavailable), builds: builds, now: t0.addingTimeInterval(60)).recheckAt
                == t0.addingTimeInterval(120))
    }

    @Test func reniceIsOneWayWhileUnavailableAndReleasedAfter() {
        let p = policy(.renice)
        let first = p.decide(verdict: verdict(.unavailable), builds: [.init(requestID: 3)], now: t0)
        #expect(first.actions == [.renice(requestID: 3, reason: "load 4.2 > 3.0 (since 14:02 CET)")])
        #expect(first.recheckAt == nil)  // no max_suspend for a reniced build
        let held = BuildHoldPolicy.RunningBuild(requestID: 3, hold: .init(.reniced, since: t0))
        #expect(p.decide(verdict: verdict(.unavailable), builds: [held], now: t0.addingTimeInterval(7200)).actions.isEmpty)
        #expect(p.decide(verdict: verdict(.available), builds: [held], now: t0).actions == [.resume(requestID: 3)])
    }

    @Test func advisoryAndFinishNeverHold() {
        let build = BuildHoldPolicy.RunningBuild(requestID: 1)
        #expect(policy(.suspend).decide(verdict: verdict(.advisory), builds: [build], now: t0).actions.isEmpty)
        #expect(policy(.finish).decide(verdict: verdict(.unavailable), builds: [build], now: t0).actions.isEmpty)
        // A hold left from before a reload to `finish` is released.
        let held = BuildHoldPolicy.RunningBuild(requestID: 1, hold: .init(.suspended, since: t0))
        #expect(policy(.finish).decide(verdict: verdict(.unavailable), builds: [held], now: t0).actions == [.resume(requestID: 1)])
        #expect(policy(.suspend).decide(verdict: verdict(.advisory), builds: [held], now: t0).actions == [.resume(requestID: 1)])
    }

    @Test func aBuildThatCannotBeHeldIsLeftAlone() {
        let stock = BuildHoldPolicy.RunningBuild(requestID: 1, canHold: false)
        let decision = policy(.suspend).decide(verdict: verdict(.unavailable), builds: [stock], now: t0)
        #expect(decision.actions.isEmpty)
        #expect(decision.recheckAt == nil)
    }

    @Test func switchingFromSuspendToReniceResumesFirst() {
        let held = BuildHoldPolicy.RunningBuild(requestID: 5, hold: .init(.suspended, since: t0))
        #expect(policy(.renice).decide(verdict: verdict(.unavailable), builds: [held], now: t0).actions
                == [.resume(requestID: 5), .renice(requestID: 5, reason: "load 4.2 > 3.0 (since 14:02 CET)")])
    }

    /// The build's state string, as the runner shows it.
    @Test func theHoldReadsInTheStateString() {
        var progress = BuildProgress(steps: [.init(name: "compile")])
        _ = progress.handle(.started)
        progress.held(BuildHold.suspend(reason: "load 4.2 > 3.0 (since 14:02 CET)").stateText)
        #expect(progress.stateString == "suspended: load 4.2 > 3.0 (since 14:02 CET); step 1/1: compile")
        progress.held(BuildHold.resume.stateText)
        #expect(progress.stateString == "running step 1/1: compile")
    }
}
