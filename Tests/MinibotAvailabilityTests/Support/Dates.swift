import Foundation

/// A wall-clock time in a zone, e.g. `at("2025-03-24 10:00")` (Paris by default).
func at(_ text: String, _ zone: String = "Europe/Paris") -> Date {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: zone)!
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return formatter.date(from: text.count == 16 ? text + ":00" : text)!
}

let paris = TimeZone(identifier: "Europe/Paris")!
