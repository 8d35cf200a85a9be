import Foundation
import MinibotHostFacts
import Testing

/// `for`, `hard_` and `resume_after` (kubelet's soft and hard thresholds and transition
/// period) on ``LoadHysteresis``, with exact sample times.
@Suite struct TimedThresholdTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    func t(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    /// Feeds `(seconds after t0, value)` samples; the verdict after each.
    func run(_ h: inout LoadHysteresis, _ samples: [(Double, Double)]) -> [Bool] {
        samples.map { h.update($0.1, at: t($0.0)) }
    }

    @Test func softLimitBlocksOnlyOnceExceededForItsWholePeriod() {
        var h = LoadHysteresis(max: 20, resume: 16, holdFor: 30)
        let verdicts = run(&h, [(0, 25), (10, 30), (29.9, 22), (30, 21), (35, 18)])   // 18: not below 16
        #expect(verdicts == [false, false, false, true, true])
    }

    @Test func aSampleBackUnderTheLimitRestartsTheSoftPeriod() {
        var h = LoadHysteresis(max: 20, resume: 16, holdFor: 30)
        // At 20 is not above 20: the period starts again at 25 s.
        let verdicts = run(&h, [(0, 25), (20, 20), (25, 25), (50, 25), (55, 25)])
        #expect(verdicts == [false, false, false, false, true])
        #expect(h.exceededSince == nil)
    }

    @Test func hardLimitActsAtTheFirstSample() {
        var h = LoadHysteresis(max: 20, resume: 16, hard: 40, holdFor: 60)
        #expect(run(&h, [(0, 39), (1, 41)]) == [false, true])
    }

    @Test func hardOnlyThresholdIsAnUntimedOne() {
        var h = LoadHysteresis(max: 40)
        #expect(run(&h, [(0, 40.5), (1, 33), (2, 31)]) == [true, true, false])   // 33 is not below 32
    }

    @Test func resumeAfterKeepsItBlockedUntilBelowResumeThatLong() {
        var h = LoadHysteresis(max: 20, resume: 16, resumeAfter: 120)
        let verdicts = run(&h, [
            (0, 25),                   // blocked at once (no `for`)
            (10, 15), (60, 15),        // below resume for 50 s
            (70, 17),                  // back above resume: the period ends
            (80, 10), (199, 10),       // 119 s below
            (200, 10),                 // 120 s below: free
            (201, 19),                 // under max: stays free
        ])
        #expect(verdicts == [true, true, true, true, true, true, false, false])
    }

    @Test func untimedThresholdKeepsTheOldBehaviour() {
        var h = LoadHysteresis(max: 3, resume: 2.4)
        let verdicts = [3.1, 2.4, 2.39].map { h.update($0) }
        #expect(verdicts == [true, true, false])
    }

    @Test func minimumBlocksBelowAndFreesAbove() {
        let gib = 1024.0 * 1024 * 1024
        var h = LoadHysteresis(max: 2 * gib, direction: .below, holdFor: 10, resumeAfter: 20)
        #expect(h.resume == 2.5 * gib)
        let verdicts = run(&h, [(0, 1 * gib), (10, 1.5 * gib), (15, 2.2 * gib), (16, 3 * gib), (35, 3 * gib), (36, 3 * gib)])
        #expect(verdicts == [false, true, true, true, true, false])
        #expect(LoadHysteresis(max: 2, resume: 1, direction: .below).resume == 2)   // clamped to the minimum
    }

    /// The clock went back: the period being waited out starts again, it never ends early.
    @Test func aClockGoingBackRestartsThePeriod() {
        var h = LoadHysteresis(max: 20, resume: 16, holdFor: 30)
        // Back in time at 50: the period starts again there.
        #expect(run(&h, [(100, 25), (50, 25), (79, 25), (80, 25)]) == [false, false, false, true])
    }

    @Test func reconfigureKeepsThePeriodsAndTheBlock() {
        var h = LoadHysteresis(max: 20, resume: 16, resumeAfter: 60)
        h.update(25, at: t(0))
        h.update(10, at: t(10))
        let changed = h.reconfigured(to: LoadHysteresis(max: 30, resume: 12, resumeAfter: 60))
        #expect(changed.isBlocked)
        #expect(changed.recoveringSince == t(10))
        #expect(changed.max == 30)
    }

    @Test func hostileDurationsCountAsZero() {
        var h = LoadHysteresis(max: 1, holdFor: .nan, resumeAfter: -.infinity)
        #expect(h.holdFor == 0 && h.resumeAfter == 0)
        #expect(run(&h, [(0, 2), (1, .nan)]) == [true, true])   // NaN is never back under the resume level
        var free = LoadHysteresis(max: 1)
        #expect(run(&free, [(0, .nan)]) == [false])              // nor past a limit
    }
}
