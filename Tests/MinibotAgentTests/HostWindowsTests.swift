import Foundation
import MinibotAgent
import Testing

/// The agent's `windows:`: unavailable windows block offers until they end; others are ignored.
@Suite struct HostWindowsTests {
    // 2025-01-06 is a Monday.
    func utc(_ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        var c = DateComponents()
        c.year = 2025; c.month = 1; c.day = day; c.hour = hour; c.minute = minute
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: c)!
    }

    @Test func anUnavailableWindowBlocksUntilItEnds() throws {
        let windows = try HostWindows([.init(when: "Mon-Fri 09:00-17:00", timezone: "UTC")])
        let block = try #require(windows.block(at: utc(6, 10)))
        #expect(block.until == utc(6, 17))
        #expect(block.reason.contains("Mon-Fri 09:00-17:00"))
        #expect(windows.block(at: utc(6, 18)) == nil)
    }

    @Test func leadBlocksBeforeTheWindowOpens() throws {
        let windows = try HostWindows([.init(when: "Mon-Fri 09:00-17:00", timezone: "UTC", lead: 900)])
        #expect(windows.block(at: utc(6, 8, 50))?.until == utc(6, 17))
        #expect(windows.block(at: utc(6, 8, 40)) == nil)
    }

    @Test func advisoryWindowsAreIgnoredAndBadOnesReported() throws {
        let windows = try HostWindows([.init(when: "Mon-Fri 09:00-17:00", timezone: "UTC", mode: "advisory")])
        #expect(windows.isEmpty)
        #expect(windows.ignoredCount == 1)
        #expect(throws: AgentConfigurationError.self) {
            try HostWindows([.init(when: "Someday 09:00-17:00", location: "agent.yaml:3:5")])
        }
    }
}
