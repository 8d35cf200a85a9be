/// A day of the week, numbered like `Calendar`'s `weekday` component (Sunday = 1).
public enum Weekday: Int, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case sunday = 1, monday, tuesday, wednesday, thursday, friday, saturday

    /// The three-letter English name used in `when` strings, e.g. `Mon`.
    public var shortName: String {
        switch self {
        case .sunday: "Sun"
        case .monday: "Mon"
        case .tuesday: "Tue"
        case .wednesday: "Wed"
        case .thursday: "Thu"
        case .friday: "Fri"
        case .saturday: "Sat"
        }
    }

    /// Parses `Mon`, `mon`, `Monday` (case-insensitive); nil for anything else.
    public init?(name: String) {
        let lower = name.lowercased()
        guard let day = Weekday.allCases.first(where: {
            let short = $0.shortName.lowercased()
            return lower == short || lower == $0.fullName
        }) else { return nil }
        self = day
    }

    /// The next day of the week (Saturday → Sunday).
    public var next: Weekday { Weekday(rawValue: rawValue % 7 + 1)! }

    /// Monday-first position (Monday = 0), the order people write day lists in.
    var mondayFirstIndex: Int { (rawValue + 5) % 7 }

    private var fullName: String {
        switch self {
        case .sunday: "sunday"
        case .monday: "monday"
        case .tuesday: "tuesday"
        case .wednesday: "wednesday"
        case .thursday: "thursday"
        case .friday: "friday"
        case .saturday: "saturday"
        }
    }

    public static func < (a: Weekday, b: Weekday) -> Bool { a.mondayFirstIndex < b.mondayFirstIndex }
}
