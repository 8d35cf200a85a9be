import MinibotHostFacts
import Testing

@Suite struct LoadHysteresisTests {
    @Test func resumeDefaultsToEightyPercent() {
        let h = LoadHysteresis(max: 3)
        #expect(abs(h.resume - 2.4) < 1e-9)
        #expect(!h.isBlocked)
    }

    /// Samples flapping around the threshold give one block and one release, not a flap each.
    @Test func flappingSamplesDoNotFlapTheVerdict() {
        var h = LoadHysteresis(max: 3, resume: 2.4)
        let samples: [(Double, Bool)] = [
            (2.9, false), (3.0, false),      // at the threshold is not above it
            (3.1, true), (2.9, true), (3.05, true), (2.5, true), (2.41, true), (2.4, true),
            (2.39, false),                   // below resume: free again
            (2.9, false), (2.95, false), (3.01, true),
        ]
        var verdicts: [Bool] = []
        for (load, expected) in samples {
            let blocked = h.update(load)
            #expect(blocked == expected, "after load \(load)")
            verdicts.append(blocked)
        }
        let changes = zip(verdicts, verdicts.dropFirst()).filter { $0 != $1 }.count
        #expect(changes == 3)
    }

    @Test func reconfigureKeepsBlockedState() {
        var h = LoadHysteresis(max: 3)
        h.update(5)
        let changed = h.reconfigured(max: 6, resume: nil)
        #expect(changed.isBlocked)
        #expect(changed.max == 6)
        #expect(LoadHysteresis(max: 2, resume: 5).resume == 2)   // clamped to max
    }
}
