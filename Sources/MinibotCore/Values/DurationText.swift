import Foundation

/// Durations as written in `master.cfg` and on the command line: `90s`, `5m`, `1h`, `2d`,
/// `1h30m`, `250ms`, or a bare number of seconds.
///
/// This is the one reading of a duration from a file, the command line or a client: the
/// result is finite, not negative and at most ``maximum``, so it converts to `Duration`,
/// nanoseconds or a date without trapping. `inf`, `nan`, `1e300` and `-5s` are not durations.
public enum DurationText {
    /// The longest duration accepted anywhere: 366 days.
    public static let maximum: Double = 366 * 86_400

    /// Seconds for `text`, or nil when it is not a duration (or longer than ``maximum``).
    public static func seconds(_ text: String) -> Double? {
        guard text.utf8.count <= 64 else { return nil }
        guard let seconds = parse(text), seconds.isFinite, seconds >= 0, seconds <= maximum else { return nil }
        return seconds
    }

    /// Whether `seconds`, given as a number (JSON, a flag), is a duration ``seconds(_:)`` would accept.
    public static func isValid(_ seconds: Double) -> Bool {
        seconds.isFinite && seconds >= 0 && seconds <= maximum
    }

    private static func parse(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !t.isEmpty else { return nil }
        // A bare number of seconds: digits and one dot only (no "inf", "nan", "1e300", "0x10").
        if t.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) { return Double(t) }
        var total = 0.0
        var number = ""
        var unit = ""
        var sawPart = false
        func flush() -> Bool {
            guard let n = Double(number) else { return false }
            let factor: Double
            switch unit {
            case "ms": factor = 0.001
            case "s", "sec", "secs": factor = 1
            case "m", "min", "mins": factor = 60
            case "h", "hr", "hrs": factor = 3600
            case "d", "day", "days": factor = 86400
            default: return false
            }
            total += n * factor
            number = ""; unit = ""; sawPart = true
            return true
        }
        for ch in t {
            if ch.isASCII && (ch.isNumber || ch == ".") {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(ch)
            } else if ch.isASCII && ch.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(ch)
            } else if ch == " " {
                continue
            } else {
                return nil
            }
        }
        guard !number.isEmpty, !unit.isEmpty, flush() else { return nil }
        return sawPart ? total : nil
    }

    /// A short human form: `45 s`, `5 min`, `1 h 30 min`.
    public static func describe(_ seconds: Double) -> String {
        guard seconds.isFinite else { return seconds.isNaN ? "an unknown time" : "forever" }
        let s = Int(min(max(seconds, 0), maximum * 100).rounded(.up))
        if s < 60 { return "\(s) s" }
        if s < 3600 { return s % 60 == 0 ? "\(s / 60) min" : "\(s / 60) min \(s % 60) s" }
        let h = s / 3600, m = (s % 3600) / 60
        return m == 0 ? "\(h) h" : "\(h) h \(m) min"
    }
}
