import Foundation

/// How a time is written for people, with the zone it is in: `17:00 CET`, `Tue 09:00 UTC`,
/// and, when a window's own zone differs, that zone's reading beside it:
/// `08:00 UTC (17:00 JST)`.
///
/// The one place that labels zones: the availability plugin's explanations, `minibot pending`
/// and the pages use it, so they agree. The day part is ``TimeWindow/format(_:relativeTo:in:)``'s.
public enum TimeLabel {
    /// `date` in `zone` relative to `reference` (`17:00`, `Mon 09:00`, `2026-04-02 09:00`),
    /// with the zone's label; `other` (a window's zone) is added in parentheses when it
    /// reads differently.
    public static func text(_ date: Date, relativeTo reference: Date, in zone: TimeZone, alsoIn other: TimeZone? = nil) -> String {
        let main = TimeWindow.format(date, relativeTo: reference, in: zone) + " " + label(zone, at: date)
        guard let other, !sameClock(zone, other, at: date) else { return main }
        return main + " (" + TimeWindow.format(date, relativeTo: reference, in: other) + " " + label(other, at: date) + ")"
    }

    /// The zone's abbreviation at `date` (`CET`, `CEST`, `JST`, `EST`); `UTC` for UTC itself
    /// (which Foundation calls `GMT`), and the offset (`UTC+05:45`) where no abbreviation is
    /// in common use.
    ///
    /// Foundation on Linux answers `GMT+1` from `abbreviation(for:)`; ICU knows the names,
    /// but only in the locales where each is commonly used (CET in en_GB, JST in en_JP), so
    /// those are asked in turn.
    public static func label(_ zone: TimeZone, at date: Date) -> String {
        if universal.contains(zone.identifier) { return "UTC" }
        for locale in abbreviationLocales {
            let formatter = DateFormatter()
            formatter.locale = locale
            formatter.timeZone = zone
            formatter.dateFormat = "zzz"
            let name = formatter.string(from: date)
            if !name.isEmpty, name.allSatisfy({ $0.isASCII && $0.isLetter }) { return name }
        }
        let offset = zone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "UTC\(sign)\(pad(minutes / 60)):\(pad(minutes % 60))"
    }

    private static let universal: Set<String> = [
        "UTC", "GMT", "Etc/UTC", "Etc/GMT", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu", "Etc/UCT", "UCT",
        "Etc/Greenwich", "Greenwich", "GMT0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0",
    ]

    private static let abbreviationLocales = ["en_US", "en_GB", "en_JP", "en_IN", "en_AU"].map(Locale.init(identifier:))

    /// Whether two zones read the same at `date` (Europe/Paris and Europe/Berlin do).
    static func sameClock(_ a: TimeZone, _ b: TimeZone, at date: Date) -> Bool {
        a.identifier == b.identifier
            || (a.secondsFromGMT(for: date) == b.secondsFromGMT(for: date) && label(a, at: date) == label(b, at: date))
    }
}
