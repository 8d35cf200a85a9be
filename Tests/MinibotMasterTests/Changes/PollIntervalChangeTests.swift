import Foundation
@testable import MinibotMaster
import Testing

/// A changed `poll_interval` counts from the last poll, not after the old interval runs out.
@Suite struct PollIntervalChangeTests {
    static let lastPoll = Date(timeIntervalSince1970: 1_796_000_000)

    @Test func aShorterIntervalCountsFromTheLastPoll() {
        // Polled at lastPoll every hour; now every minute: due a minute after that poll.
        let due = Self.lastPoll.addingTimeInterval(3600)
        #expect(PollerService.nextDue(due, from: 3600, to: 60) == Self.lastPoll.addingTimeInterval(60))
    }

    @Test func aLongerIntervalWaitsLonger() {
        let due = Self.lastPoll.addingTimeInterval(60)
        #expect(PollerService.nextDue(due, from: 60, to: 600) == Self.lastPoll.addingTimeInterval(600))
    }

    @Test func anUnchangedIntervalKeepsItsTime() {
        let due = Self.lastPoll.addingTimeInterval(60)
        #expect(PollerService.nextDue(due, from: 60, to: 60) == due)
    }
}
