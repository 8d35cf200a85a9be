/// A wall-clock time of day, minute precision: `09:00`, `17:30`. `24:00` is allowed as the
/// end of a range and means the following midnight.
public struct TimeOfDay: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// Minutes since midnight, 0...1440.
    public var minutes: Int

    public init(hour: Int, minute: Int) { minutes = hour * 60 + minute }

    public var hour: Int { minutes / 60 }
    public var minute: Int { minutes % 60 }

    /// Parses `HH:MM` or `H:MM` (hours 0–23, or exactly `24:00` when `allowing24` is set).
    public init?(parsing text: String, allowing24: Bool = false) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              parts[0].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isASCII),
              let h = Int(parts[0]), let m = Int(parts[1]), (0...59).contains(m) else { return nil }
        if h == 24 && m == 0 && allowing24 {
            minutes = 1440
            return
        }
        guard (0...23).contains(h) else { return nil }
        minutes = h * 60 + m
    }

    /// `HH:MM`.
    public var description: String {
        let h = hour < 10 ? "0\(hour)" : "\(hour)"
        let m = minute < 10 ? "0\(minute)" : "\(minute)"
        return "\(h):\(m)"
    }

    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { a.minutes < b.minutes }
}
