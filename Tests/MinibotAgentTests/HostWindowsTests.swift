import Foundation
import MinibotAgent
import MinibotHostFacts
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
        let windows = HostWindows([try rule("Mon-Fri 09:00-17:00")])
        let block = try #require(windows.block(at: utc(6, 10)))
        #expect(block.until == utc(6, 17))
        #expect(block.reason.contains("Mon-Fri 09:00-17:00"))
        #expect(windows.block(at: utc(6, 18)) == nil)
    }

    @Test func leadBlocksBeforeTheWindowOpens() throws {
        let windows = HostWindows([try rule("Mon-Fri 09:00-17:00", lead: 900)])
        #expect(windows.block(at: utc(6, 8, 50))?.until == utc(6, 17))
        #expect(windows.block(at: utc(6, 8, 40)) == nil)
    }

    @Test func advisoryWindowsAreIgnored() throws {
        let windows = HostWindows([try rule("Mon-Fri 09:00-17:00", mode: .advisory)])
        #expect(windows.isEmpty)
        #expect(windows.ignoredCount == 1)
    }

    func rule(_ when: String, mode: RestrictionMode = .unavailable, lead: Double = 0) throws -> WindowRule {
        WindowRule(window: try TimeWindow(when: when, timeZone: "UTC"), mode: mode, lead: lead)
    }
}
