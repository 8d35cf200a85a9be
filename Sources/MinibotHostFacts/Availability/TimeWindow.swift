import Foundation

/// A recurring weekly window of wall-clock time in one time zone, written as in
/// `master.cfg`: `Mon-Fri 09:00-17:00`, `Sat,Sun`, `daily 22:00-06:00`, `Mon,Wed-Fri 12:00-14:00`.
///
/// - The day part lists days (`Mon`, `Sat,Sun`), ranges (`Mon-Fri`, which may wrap:
///   `Fri-Mon`) or `daily`; omitted means every day. Names are case-insensitive.
/// - The time part is `HH:MM-HH:MM`; omitted means the whole day. A range whose end is not
///   after its start wraps midnight (`22:00-06:00`), and that occurrence belongs to the day
///   it *starts* on: `Fri 22:00-06:00` runs from Friday 22:00 to Saturday 06:00.
///   `00:00-00:00` (or `00:00-24:00`) is the whole day.
/// - Times are wall-clock times in ``timeZone`` and every instant is computed with a
///   `Calendar` in that zone, so a window keeps its local hours across DST changes. A start
///   or end that falls in a DST gap moves to the first valid time after the gap; one that
///   occurs twice (the autumn repeated hour) takes its first occurrence.
///
/// Pure value: every question takes the instant as an argument. Shared by the availability
/// plugin on the master and the host agent.
public struct TimeWindow: Sendable, Hashable, CustomStringConvertible {
    /// The days an occurrence may *start* on.
    public var days: Set<Weekday>
    public var start: TimeOfDay
    /// The end; not after `start` means the next day.
    public var end: TimeOfDay
    public var timeZone: TimeZone
    /// The `when` text as written, for messages.
    public var text: String

    /// Parses a `when` string in a time zone given by its IANA identifier
    /// (`Europe/Paris`); nil means the local zone of this process.
    public init(when text: String, timeZone identifier: String?) throws(TimeWindowError) {
        try self.init(when: text, timeZone: TimeWindow.timeZone(identifier))
    }

    /// Parses a `when` string in `timeZone`.
    public init(when text: String, timeZone: TimeZone) throws(TimeWindowError) {
        let parsed = try TimeWindow.parse(text)
        self.days = parsed.days
        self.start = parsed.start
        self.end = parsed.end
        self.timeZone = timeZone
        self.text = text.trimmingCharacters(in: .whitespaces)
    }

    /// The zone for an IANA identifier; nil means the local zone. Throws for unknown ones.
    public static func timeZone(_ identifier: String?) throws(TimeWindowError) -> TimeZone {
        guard let identifier else { return TimeZone.current }
        guard let zone = TimeZone(identifier: identifier) else {
            throw TimeWindowError("unknown time zone '\(identifier)': use an IANA name such as Europe/Paris, America/New_York or UTC")
        }
        return zone
    }

    /// Whether the range wraps midnight (ends on the day after it starts).
    public var wrapsMidnight: Bool { end <= start }

    /// `Mon-Fri 09:00-17:00 Europe/Paris`: the window as written, with its zone.
    public var description: String { "\(text) \(timeZone.identifier)" }

    // MARK: questions

    /// Whether `date` is inside the window (start inclusive, end exclusive).
    public func contains(_ date: Date) -> Bool {
        occurrence(containing: date) != nil
    }

    /// When `date` is inside the window: the instant it leaves it, following contiguous
    /// occurrences (`Mon-Fri 00:00-00:00` on Tuesday ends Saturday 00:00). Nil when `date`
    /// is outside, or when the window never ends (every day, all day).
    public func currentEnd(after date: Date) -> Date? {
        guard var current = occurrence(containing: date) else { return nil }
        // Seven contiguous days means the window covers the whole week: it never ends.
        for _ in 0..<8 {
            guard let following = occurrence(containing: current.end) else { return current.end }
            current = following
        }
        return nil
    }

    /// The next instant after `date` at which the window opens (goes from outside to
    /// inside). Nil when it never opens (it is always open).
    public func nextStart(after date: Date) -> Date? {
        for occurrence in occurrences(around: date, daysBefore: 1, daysAfter: 8)
        where occurrence.start > date {
            // An occurrence that continues an earlier one is not an opening.
            if occurrenceContaining(occurrence.start.addingTimeInterval(-1), excluding: occurrence) == nil {
                return occurrence.start
            }
        }
        return nil
    }

    /// `17:00` when `date` is on the same local day as `reference`, `Mon 09:00` within a
    /// week, `2025-04-02 09:00` beyond, in the window's zone.
    public func format(_ date: Date, relativeTo reference: Date) -> String {
        TimeWindow.format(date, relativeTo: reference, in: timeZone)
    }

    /// The same formatting in any zone (used for flag expiries in the master's zone).
    public static func format(_ date: Date, relativeTo reference: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        let time = TimeOfDay(hour: c.hour ?? 0, minute: c.minute ?? 0).description
        if calendar.isDate(date, inSameDayAs: reference) { return time }
        let days = date.timeIntervalSince(reference) / 86400
        if days > -1, days < 6, let weekday = c.weekday.flatMap(Weekday.init(rawValue:)) {
            return "\(weekday.shortName) \(time)"
        }
        func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(c.year ?? 0)-\(pad(c.month ?? 0))-\(pad(c.day ?? 0)) \(time)"
    }

    // MARK: occurrences

    /// One concrete occurrence of the window.
    struct Occurrence: Equatable {
        var start: Date
        var end: Date
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    private func occurrence(containing date: Date) -> Occurrence? {
        occurrenceContaining(date, excluding: nil)
    }

    private func occurrenceContaining(_ date: Date, excluding excluded: Occurrence?) -> Occurrence? {
        // An occurrence lasts at most one day, so it started today or yesterday (local).
        occurrences(around: date, daysBefore: 1, daysAfter: 0).last {
            $0 != excluded && $0.start <= date && date < $0.end
        }
    }

    /// The occurrences starting on the local days from `daysBefore` before `date`'s day to
    /// `daysAfter` after it, in order.
    func occurrences(around date: Date, daysBefore: Int, daysAfter: Int) -> [Occurrence] {
        let calendar = self.calendar
        let today = calendar.startOfDay(for: date)
        var result: [Occurrence] = []
        for offset in -daysBefore...daysAfter {
            guard let day = calendar.date(byAdding: .day, value: offset, to: today),
                  let weekday = Weekday(rawValue: calendar.component(.weekday, from: day)),
                  days.contains(weekday) else { continue }
            let endDayOffset = wrapsMidnight || end.minutes == 1440 ? 1 : 0
            guard let startDate = instant(on: day, at: start.minutes, calendar: calendar),
                  let endDay = calendar.date(byAdding: .day, value: endDayOffset, to: day),
                  let endDate = instant(on: endDay, at: end.minutes % 1440, calendar: calendar),
                  endDate > startDate else { continue }
            result.append(Occurrence(start: startDate, end: endDate))
        }
        return result
    }

    /// The instant of a wall-clock time on a local day. A time that does not exist (the
    /// spring-forward gap) becomes the first instant after the gap; a time that occurs
    /// twice (the autumn repeated hour) takes its first occurrence. Foundation alone would
    /// shift a gap time by the gap's length and may pick either repeated instant.
    private func instant(on day: Date, at minutes: Int, calendar: Calendar) -> Date? {
        var c = calendar.dateComponents([.era, .year, .month, .day], from: day)
        c.hour = minutes / 60
        c.minute = minutes % 60
        c.second = 0
        guard let date = calendar.date(from: c) else { return nil }
        func isRequestedTime(_ d: Date) -> Bool {
            let got = calendar.dateComponents([.day, .hour, .minute], from: d)
            return got.day == c.day && got.hour == c.hour && got.minute == c.minute
        }
        if !isRequestedTime(date) {
            // In a gap: the transition that opened it is the first valid instant after it.
            if let transition = timeZone.nextDaylightSavingTimeTransition(after: date.addingTimeInterval(-3 * 3600)),
               transition <= date {
                return transition
            }
            return date
        }
        // A repeated wall time: prefer the earlier instant (DST shifts are 30 min or 1 h).
        for shift in [3600.0, 1800.0] where isRequestedTime(date.addingTimeInterval(-shift)) {
            return date.addingTimeInterval(-shift)
        }
        return date
    }
}
