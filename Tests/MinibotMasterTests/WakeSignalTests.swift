import Foundation
@testable import MinibotMaster
import MinibotTesting
import Testing

/// The distributor's wake-up: a backstop deadline on the master's clock, driven by hand.
@Suite(.timeLimit(.minutes(1))) struct WakeSignalTests {
    @Test func aDeadlineEndsTheWaitOnlyWhenTheClockReachesIt() async {
        let clock = ManualClock()
        let signal = WakeSignal(clock: clock)
        let deadline = clock.now().addingTimeInterval(30)
        async let reasons = signal.next(deadline: deadline)
        await clock.waitForSleepers()
        clock.advance(by: 29)
        #expect(clock.sleeperCount == 1, "29 s in, the backstop still sleeps")
        clock.advance(by: 1)
        #expect(await reasons == [], "the deadline passed without a wake")
    }

    @Test func aWakeBeatsTheDeadlineAndCarriesItsReason() async {
        let clock = ManualClock()
        let signal = WakeSignal(clock: clock)
        async let reasons = signal.next(deadline: clock.now().addingTimeInterval(30))
        await clock.waitForSleepers()
        signal.wake("worker w1 attached")
        #expect(await reasons == ["worker w1 attached"])
    }

    @Test func aDeadlineAlreadyPassedReturnsAtOnce() async {
        let clock = ManualClock()
        let signal = WakeSignal(clock: clock)
        #expect(await signal.next(deadline: clock.now().addingTimeInterval(-1)) == [])
    }
}
