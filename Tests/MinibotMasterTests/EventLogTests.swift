import Foundation
@testable import MinibotMaster
import MinibotTesting
import Testing

/// The event log behind `GET /api/v2/events`: `after` comes from any client.
@Suite struct EventLogTests {
    func log(events: Int, capacity: Int = 10_000) -> EventLog {
        let log = EventLog(capacity: capacity, clock: ManualClock())
        for i in 0..<events { log.record(.change, ["i": .number(Double(i))]) }
        return log
    }

    @Test func eventsAfterASequenceNumber() async {
        let events = log(events: 5)
        #expect(await events.events(after: 2, timeout: 0).map(\.seq) == [3, 4, 5])
        #expect(await events.events(after: 0, timeout: 0).count == 5)
        #expect(await events.events(after: 5, timeout: 0).isEmpty)
    }

    /// Used to trap on `seq + 1` (issue: an unauthenticated request crashed the master).
    @Test func extremeSequenceNumbersNeitherTrapNorWait() async {
        let events = log(events: 5)
        #expect(await events.events(after: .max, timeout: 0).isEmpty)
        #expect(await events.events(after: .min, timeout: 0).count == 5)
        #expect(await events.events(after: .max, timeout: .nan).isEmpty)
        #expect(await events.events(after: .max, timeout: .infinity).isEmpty)
    }

    /// Issue 15: a page's stream asks for the newest event of its types, copying nothing.
    @Test func theNewestOfSomeTypesAndAWaitThatCopiesNothing() async {
        let events = log(events: 3)
        events.record(.buildStarted, [:])
        events.record(.change, [:])
        events.record(.buildFinished, [:])
        #expect(events.newest(of: [.buildStarted, .buildFinished, .workerAttached], after: 0) == [.buildStarted: 4, .buildFinished: 6])
        #expect(events.newest(of: [.buildStarted, .buildFinished], after: 4) == [.buildFinished: 6])
        #expect(events.newest(of: [.buildStarted], after: .max).isEmpty)
        #expect(await events.wait(after: 2, timeout: 0) == 6)
        #expect(await events.wait(after: 6, timeout: 0) == 6)
        #expect(await events.wait(after: .max, timeout: .nan) == 6)
    }

    @Test func aWrappedRingStartsAtItsOldestEvent() async {
        let events = log(events: 30, capacity: 10)
        let all = await events.events(after: .min, timeout: 0)
        #expect(all.count == 10)
        #expect(all.first?.seq == 21)
        #expect(await events.events(after: 25, timeout: 0).map(\.seq) == [26, 27, 28, 29, 30])
    }
}
