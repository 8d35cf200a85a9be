import Foundation
import MinibotHostFacts
import Testing

/// A wall-clock time in a zone, e.g. `at("2025-03-24 10:00", "Europe/Paris")`.
private func at(_ text: String, _ zone: String = "Europe/Paris") -> Date {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: zone)!
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.date(from: text)!
}

private func utc(_ text: String) -> Date { at(text, "UTC") }

private func window(_ when: String, _ zone: String = "Europe/Paris") throws -> TimeWindow {
    try TimeWindow(when: when, timeZone: zone)
}

@Suite struct TimeWindowTests {
    // 2025-03-24 is a Monday.
    @Test func officeHoursContainAndBounds() throws {
        let w = try window("Mon-Fri 09:00-17:00")
        #expect(w.contains(at("2025-03-24 10:00")))
        #expect(w.contains(at("2025-03-24 09:00")))
        #expect(!w.contains(at("2025-03-24 08:59")))
        #expect(!w.contains(at("2025-03-24 17:00")))      // end is exclusive
        #expect(!w.contains(at("2025-03-29 10:00")))      // Saturday
        #expect(w.currentEnd(after: at("2025-03-24 10:00")) == at("2025-03-24 17:00"))
        #expect(w.currentEnd(after: at("2025-03-24 18:00")) == nil)
        #expect(w.nextStart(after: at("2025-03-24 10:00")) == at("2025-03-25 09:00"))
        #expect(w.nextStart(after: at("2025-03-28 18:00")) == at("2025-03-31 09:00"))  // Friday evening → Monday
        #expect(w.description == "Mon-Fri 09:00-17:00 Europe/Paris")
    }

    @Test func rangeWrappingMidnightBelongsToTheDayItStarts() throws {
        let w = try window("Fri 22:00-06:00")
        #expect(w.wrapsMidnight)
        #expect(w.contains(at("2025-03-28 23:00")))       // Friday night
        #expect(w.contains(at("2025-03-29 05:59")))       // Saturday morning, Friday's occurrence
        #expect(!w.contains(at("2025-03-29 06:00")))
        #expect(!w.contains(at("2025-03-28 03:00")))      // Friday morning belongs to Thursday: not listed
        #expect(!w.contains(at("2025-03-29 23:00")))      // Saturday night
        #expect(w.currentEnd(after: at("2025-03-28 23:00")) == at("2025-03-29 06:00"))
        #expect(w.nextStart(after: at("2025-03-29 01:00")) == at("2025-04-04 22:00"))
    }

    @Test func dayListsAndRanges() throws {
        let w = try window("Mon,Wed-Fri 12:00-14:00")
        #expect(w.days == [.monday, .wednesday, .thursday, .friday])
        #expect(w.contains(at("2025-03-24 13:00")))       // Mon
        #expect(!w.contains(at("2025-03-25 13:00")))      // Tue
        #expect(w.contains(at("2025-03-26 13:00")))       // Wed

        let weekend = try window("sat, SUN")             // case-insensitive, whole day
        #expect(weekend.days == [.saturday, .sunday])
        #expect(weekend.contains(at("2025-03-29 00:00")))
        #expect(weekend.contains(at("2025-03-30 23:59")))
        #expect(!weekend.contains(at("2025-03-31 00:00")))
        #expect(weekend.currentEnd(after: at("2025-03-29 12:00")) == at("2025-03-31 00:00"))  // contiguous days merge

        #expect(try window("Fri-Mon").days == [.friday, .saturday, .sunday, .monday])  // ranges wrap the week
        #expect(try window("22:00-06:00").days.count == 7)                              // no days: every day
        #expect(try window("daily 08:00-09:00").days.count == 7)
    }

    @Test func alwaysOpenWindowNeverEndsNorOpens() throws {
        let w = try window("daily")
        #expect(w.contains(at("2025-03-24 10:00")))
        #expect(w.currentEnd(after: at("2025-03-24 10:00")) == nil)
        #expect(w.nextStart(after: at("2025-03-24 10:00")) == nil)
        let weekdays = try window("Mon-Fri 00:00-24:00")
        #expect(weekdays.currentEnd(after: at("2025-03-25 10:00")) == at("2025-03-29 00:00"))
        #expect(weekdays.nextStart(after: at("2025-03-25 10:00")) == at("2025-03-31 00:00"))
    }

    /// Paris moves from CET (UTC+1) to CEST (UTC+2) at 02:00 on Sunday 2025-03-30.
    @Test func springForwardKeepsLocalHours() throws {
        let night = try window("daily 22:00-06:00")
        // Saturday 22:00 CET = 21:00 UTC; Sunday 06:00 CEST = 04:00 UTC: a 7-hour night.
        #expect(night.currentEnd(after: utc("2025-03-29 23:00")) == utc("2025-03-30 04:00"))
        #expect(night.contains(utc("2025-03-30 03:59")))
        #expect(!night.contains(utc("2025-03-30 04:00")))
        #expect(night.nextStart(after: utc("2025-03-29 12:00")) == utc("2025-03-29 21:00"))

        let office = try window("Mon-Fri 09:00-17:00")
        #expect(office.nextStart(after: at("2025-03-28 18:00")) == utc("2025-03-31 07:00"))  // now UTC+2
        #expect(office.currentEnd(after: utc("2025-03-28 10:00")) == utc("2025-03-28 16:00")) // still UTC+1

        // 02:30 does not exist that night: the window opens at the first valid time after the gap.
        let gap = try window("Sun 02:30-04:00")
        let opens = try #require(gap.nextStart(after: utc("2025-03-29 12:00")))
        #expect(opens == utc("2025-03-30 01:00"))          // 03:00 CEST
        #expect(gap.currentEnd(after: opens) == utc("2025-03-30 02:00"))   // 04:00 CEST
    }

    /// Paris goes back from CEST to CET at 03:00 on Sunday 2025-10-26.
    @Test func fallBackKeepsLocalHours() throws {
        let night = try window("Sat 22:00-06:00")
        // Saturday 22:00 CEST = 20:00 UTC; Sunday 06:00 CET = 05:00 UTC: a 9-hour night.
        #expect(night.currentEnd(after: utc("2025-10-25 21:00")) == utc("2025-10-26 05:00"))
        #expect(night.contains(utc("2025-10-26 04:59")))
        let office = try window("Mon-Fri 09:00-17:00")
        #expect(office.nextStart(after: at("2025-10-24 18:00")) == utc("2025-10-27 08:00"))

        // 02:30 happens twice that night (CEST, then CET): the window opens at the first.
        let repeated = try window("Sun 02:30-04:00")
        #expect(repeated.nextStart(after: utc("2025-10-25 12:00")) == utc("2025-10-26 00:30"))
        #expect(repeated.currentEnd(after: utc("2025-10-26 00:30")) == utc("2025-10-26 03:00"))  // 04:00 CET
        #expect(repeated.contains(utc("2025-10-26 01:45")))
    }

    @Test func zonesOtherThanTheMastersAreHonoured() throws {
        let ny = try window("Mon-Fri 09:00-17:00", "America/New_York")
        #expect(ny.contains(utc("2025-03-24 14:00")))     // 10:00 in New York
        #expect(!ny.contains(utc("2025-03-24 12:00")))    // 08:00 in New York
    }

    @Test func formatsRelativeToTheReference() throws {
        let w = try window("Mon-Fri 09:00-17:00")
        #expect(w.format(at("2025-03-24 17:00"), relativeTo: at("2025-03-24 10:00")) == "17:00")
        #expect(w.format(at("2025-03-31 09:00"), relativeTo: at("2025-03-28 18:00")) == "Mon 09:00")
        #expect(w.format(at("2025-04-30 09:00"), relativeTo: at("2025-03-28 18:00")) == "2025-04-30 09:00")
    }

    @Test(arguments: [
        ("Mon-Fry 09:00-17:00", "unknown day 'Fry'"),
        ("Mon 25:00-17:00", "bad time '25:00'"),
        ("Mon 09:00", "bad time range '09:00'"),
        ("Mon 09:00-17:60", "bad time '17:60'"),
        ("", "empty window"),
        ("Mon--Fri", "bad day range"),
    ])
    func rejectsMalformedWhen(text: String, message: String) {
        #expect {
            try TimeWindow(when: text, timeZone: "UTC")
        } throws: { error in
            (error as? TimeWindowError)?.message.contains(message) == true
        }
    }

    @Test func rejectsUnknownTimeZone() {
        #expect {
            try TimeWindow(when: "Mon 09:00-17:00", timeZone: "Europe/Pariss")
        } throws: { error in
            (error as? TimeWindowError)?.message.contains("unknown time zone 'Europe/Pariss'") == true
        }
    }
}
