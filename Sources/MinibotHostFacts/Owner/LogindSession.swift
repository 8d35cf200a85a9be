import Foundation

/// The idle state of a systemd-logind session, as `loginctl` prints it.
///
/// Parsed from `loginctl show-session ID -p IdleHint -p IdleSinceHint -p LockedHint`
/// (`KEY=VALUE` lines, as a worker's fake `idle_file` holds them too); the seat's session
/// comes from `loginctl show-seat seat0 -p ActiveSession`. The text is outside input: only
/// the first ``maxBytes`` are looked at, unknown keys and malformed lines are skipped, a
/// value that is not what the key takes makes the whole answer unusable rather than guessed.
///
/// What logind knows is what the desktop tells it: GNOME sets `IdleHint` when its idle delay
/// passes (Settings → Power → Screen Blank) and `IdleSinceHint` to when that happened; KDE
/// Plasma's screen locker sets `LockedHint`, and `IdleHint` only in some versions.
public struct LogindSession: Sendable, Equatable {
    public var isIdle: Bool
    /// When the session last changed its idle hint (`IdleSinceHint`, µs since the epoch); nil
    /// when logind says 0 (never).
    public var idleSince: Date?
    public var isLocked: Bool

    public init(isIdle: Bool, idleSince: Date? = nil, isLocked: Bool = false) {
        self.isIdle = isIdle
        self.idleSince = idleSince
        self.isLocked = isLocked
    }

    /// How much of an answer is read.
    public static let maxBytes = 64 * 1024

    /// The session's state; nil without a well-formed `IdleHint` line, or with a malformed
    /// `IdleSinceHint` or `LockedHint`.
    public static func parse(_ text: String) -> LogindSession? {
        let values = keyValues(text)
        guard let idle = values["IdleHint"].flatMap(boolean) else { return nil }
        var since: Date?
        if let raw = values["IdleSinceHint"] {
            // A uint64 of microseconds; UInt64(_:) refuses anything else without trapping.
            guard raw.count <= 20, let micros = UInt64(raw) else { return nil }
            since = micros == 0 ? nil : Date(timeIntervalSince1970: Double(micros) / 1_000_000)
        }
        var locked = false
        if let raw = values["LockedHint"] {
            guard let value = boolean(raw) else { return nil }
            locked = value
        }
        return LogindSession(isIdle: idle, idleSince: since, isLocked: locked)
    }

    /// The seat's active session id from `show-seat SEAT -p ActiveSession`: empty when the
    /// seat has none (`ActiveSession=`: nobody at the keyboard); nil when the answer has no
    /// such line or the id is not a plain one (letters, digits, `_`, `-`; at most 64).
    public static func activeSession(_ text: String) -> String? {
        guard let id = keyValues(text)["ActiveSession"], id.count <= 64,
              id.unicodeScalars.allSatisfy({ $0.isASCII && CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" })
        else { return nil }
        return id
    }

    /// Seconds the owner has been away at `now`: 0 while not idle, since the idle hint was
    /// set while idle (0 if that is in the future, a clock step); nil when the screen is
    /// locked (nobody is at the keyboard). An idle session with no time is idle since `now`.
    public func idleSeconds(now: Date) -> Double? {
        if isLocked { return nil }
        guard isIdle else { return 0 }
        guard let since = idleSince else { return 0 }
        return max(now.timeIntervalSince(since), 0)
    }

    private static func keyValues(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.utf8.prefix(maxBytes).split(separator: UInt8(ascii: "\n")).prefix(1000) {
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = String(decoding: line[..<equals], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            let value = String(decoding: line[line.index(after: equals)...], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if values[key] == nil { values[key] = value }
        }
        return values
    }

    private static func boolean(_ text: String) -> Bool? {
        switch text {
        case "yes": true
        case "no": false
        default: nil
        }
    }
}
