import Foundation
import MinibotCore
import MinibotHostFacts

/// Reads a request to set a flag — a `POST /api/v2/plugins/availability/workers/NAME`
/// body or a worker's `set_flag` message — into an ``AvailabilityFlag``.
///
/// ```json
/// {"state": "unavailable", "reason": "disk swap", "for": "2h", "by": "anna"}
/// {"state": "advisory", "until": "17:00"}
/// {"state": "unavailable", "until": "2025-04-01T17:00:00Z"}
/// ```
/// `for` is a duration (`2h`, `90m`, or seconds as a number; `for_seconds` too); `until` is
/// `HH:MM` (the next such time in the master's zone), `YYYY-MM-DD HH:MM` in that zone, an
/// ISO 8601 date with its offset, or epoch seconds. Neither: until changed.
///
/// Public for the fuzz target (`Fuzz/minibot-fuzz`), which feeds it every body it invents.
public enum FlagRequest {
    static let example = #"{"state": "unavailable", "reason": "maintenance", "for": "2h"}"#

    public static func parse(_ body: JSONValue, now: Date, zone: TimeZone, defaultBy: String) throws(FlagRequestError) -> AvailabilityFlag {
        guard case .object(let fields) = body else {
            throw FlagRequestError("the body must be a JSON object such as \(example)")
        }
        let known = ["type", "state", "reason", "by", "for", "for_seconds", "until"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw FlagRequestError("unknown field '\(unknown)'" + (Suggestions.closest(to: unknown, among: known).map { "; did you mean '\($0)'?" } ?? "")
                                   + "; fields: state, reason, by, for, until")
        }
        guard let stateValue = fields["state"] else {
            throw FlagRequestError("missing 'state': one of \(AvailabilityState.names)")
        }
        guard let stateName = stateValue.stringValue, let state = AvailabilityState(rawValue: stateName.lowercased()) else {
            throw FlagRequestError("bad 'state' \(describe(stateValue)): use one of \(AvailabilityState.names)")
        }
        let reason = try optionalString(fields["reason"], name: "reason") ?? ""
        let by = try optionalString(fields["by"], name: "by").flatMap { $0.isEmpty ? nil : $0 } ?? defaultBy

        let duration = fields["for"] ?? fields["for_seconds"]
        if fields["for"] != nil && fields["for_seconds"] != nil {
            throw FlagRequestError("give either 'for' or 'for_seconds', not both")
        }
        let untilValue = fields["until"].flatMap { $0 == .null ? nil : $0 }
        var expiresAt: Date?
        switch (duration.flatMap { $0 == .null ? nil : $0 }, untilValue) {
        case (.some, .some):
            throw FlagRequestError("give either 'for' or 'until', not both")
        case (.some(let value), nil):
            let seconds: Double? = switch value {
            case .number(let n): n
            case .string(let s): DurationText.seconds(s)
            default: nil
            }
            guard let seconds, DurationText.isValid(seconds), seconds > 0 else {
                throw FlagRequestError("bad 'for' \(describe(value)): use a duration such as \"30m\", \"2h\" or a number of seconds, at most 366 days")
            }
            expiresAt = now.addingTimeInterval(seconds)
        case (nil, .some(let value)):
            let date = try until(value, now: now, zone: zone)
            guard date > now else {
                throw FlagRequestError("'until' \(describe(value)) is in the past; give a future time")
            }
            guard date.timeIntervalSince(now) <= DurationText.maximum else {
                throw FlagRequestError("'until' \(describe(value)) is more than 366 days ahead")
            }
            expiresAt = date
        case (nil, nil):
            expiresAt = nil
        }
        return AvailabilityFlag(state: state, reason: reason, setBy: by, setAt: now, expiresAt: expiresAt)
    }

    private static func until(_ value: JSONValue, now: Date, zone: TimeZone) throws(FlagRequestError) -> Date {
        if let epoch = value.doubleValue {
            guard epoch.isFinite, abs(epoch) < 1e11 else {
                throw FlagRequestError("bad 'until' \(describe(value)): epoch seconds out of range")
            }
            return Date(timeIntervalSince1970: epoch)
        }
        let bad = FlagRequestError("bad 'until' \(describe(value)): use \"17:00\", \"2025-04-01 17:00\", an ISO 8601 date or epoch seconds")
        guard let text = value.stringValue?.trimmingCharacters(in: .whitespaces) else { throw bad }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        if let time = TimeOfDay(parsing: text) {
            // The next such wall-clock time: today if still ahead, else tomorrow.
            for offset in 0...1 {
                guard let day = calendar.date(byAdding: .day, value: offset, to: calendar.startOfDay(for: now)),
                      let date = calendar.date(bySettingHour: time.hour, minute: time.minute, second: 0, of: day) else { continue }
                if date > now { return date }
            }
            throw bad
        }
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: text) { return date }
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = iso.date(from: text) { return date }
        for format in ["yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.calendar = calendar
            formatter.timeZone = zone
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        throw bad
    }

    private static func optionalString(_ value: JSONValue?, name: String) throws(FlagRequestError) -> String? {
        guard let value, value != .null else { return nil }
        guard let s = value.stringValue else {
            throw FlagRequestError("'\(name)' must be a string, found \(describe(value))")
        }
        return s
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n): "\(n)"
        case .string(let s): "'\(s.prefix(60))'"
        case .array: "a list"
        case .object: "an object"
        }
    }
}

/// A flag request that cannot be applied; the message says what to send instead.
public struct FlagRequestError: Error, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
}
