import Foundation

extension TimeWindow {
    struct Parsed {
        var days: Set<Weekday>
        var start: TimeOfDay
        var end: TimeOfDay
    }

    private static let example = "write it like \"Mon-Fri 09:00-17:00\", \"Sat,Sun\" or \"daily 22:00-06:00\""

    /// Splits `when` into a day part and a time part: the time part starts at the first
    /// token that begins with a digit, so `Sat, Sun 10:00 - 12:00` reads too.
    static func parse(_ text: String) throws(TimeWindowError) -> Parsed {
        let tokens = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard !tokens.isEmpty else {
            throw TimeWindowError("empty window: \(example)")
        }
        let timeIndex = tokens.firstIndex { $0.first?.isNumber == true } ?? tokens.count
        let dayText = tokens[..<timeIndex].joined()
        let timeText = tokens[timeIndex...].joined()
        let days = try parseDays(dayText)
        if timeText.isEmpty {
            return Parsed(days: days, start: TimeOfDay(hour: 0, minute: 0), end: TimeOfDay(hour: 0, minute: 0))
        }
        let (start, end) = try parseTimeRange(timeText)
        return Parsed(days: days, start: start, end: end)
    }

    /// `Mon-Fri`, `Sat,Sun`, `Mon,Wed-Fri`, `daily`, `weekdays`, `weekends`, or empty (every day).
    static func parseDays(_ text: String) throws(TimeWindowError) -> Set<Weekday> {
        switch text.lowercased() {
        case "", "daily", "everyday": return Set(Weekday.allCases)
        case "weekdays": return [.monday, .tuesday, .wednesday, .thursday, .friday]
        case "weekends", "weekend": return [.saturday, .sunday]
        default: break
        }
        var days = Set<Weekday>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(bounds.count) else {
                throw TimeWindowError("bad day range '\(item)': \(example)")
            }
            var parsed: [Weekday] = []
            for name in bounds {
                guard let day = Weekday(name: name) else {
                    throw TimeWindowError(name.isEmpty
                        ? "missing day name in '\(text)': \(example)"
                        : "unknown day '\(name)': use Mon, Tue, Wed, Thu, Fri, Sat or Sun")
                }
                parsed.append(day)
            }
            var day = parsed[0]
            days.insert(day)
            // A range runs forward through the week and may wrap: Fri-Mon is Fri, Sat, Sun, Mon.
            while day != parsed[parsed.count - 1] {
                day = day.next
                days.insert(day)
            }
        }
        return days
    }

    /// `HH:MM-HH:MM`.
    static func parseTimeRange(_ text: String) throws(TimeWindowError) -> (TimeOfDay, TimeOfDay) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else {
            throw TimeWindowError("bad time range '\(text)': expected HH:MM-HH:MM, e.g. 09:00-17:00")
        }
        guard let start = TimeOfDay(parsing: parts[0]) else {
            throw TimeWindowError("bad time '\(parts[0])': expected HH:MM between 00:00 and 23:59")
        }
        guard let end = TimeOfDay(parsing: parts[1], allowing24: true) else {
            throw TimeWindowError("bad time '\(parts[1])': expected HH:MM between 00:00 and 24:00")
        }
        return (start, end)
    }
}
