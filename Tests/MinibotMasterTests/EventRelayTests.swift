import Foundation
import MinibotCore
@testable import MinibotMaster
import MinibotTesting
import Testing

/// What the relay hands the shared store of a master's log: its own shared kinds only, and
/// nothing JSON cannot hold.
@Suite struct EventRelayTests {
    @Test func onlyThisMastersSharedEventsThatJSONCanHoldAreShared() async {
        let log = EventLog(capacity: 100, clock: ManualClock())
        log.record(.buildStarted, ["buildid": .number(1)])
        log.record(.workerStatus, ["worker": .string("w1"), "load": .number(0.5)])
        log.record(.stepLog, ["buildid": .number(1), "bytes": .array([.number(.nan)])])
        log.record(.buildFinished, ["buildid": .number(1)], at: Date(), origin: "other")
        log.record(.buildFinished, ["buildid": .number(1), "state": .object(["x": .number(.infinity)])])
        log.record(.change, ["comments": .string("fix"), "files": .array([.string("a")])])
        #expect(EventRelay.shareable(await log.events(after: 0, timeout: 0)).map(\.type) == ["build_started", "change"])
    }
}
