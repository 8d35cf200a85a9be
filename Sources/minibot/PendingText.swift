import Foundation
import MinibotCore
import MinibotHostFacts

/// How `minibot pending` words the API's reasons: pure, in the master's zone.
struct PendingText {
    var zone: TimeZone
    var now: Date

    /// `2026-12-03 07:31:02 UTC`.
    func stamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: date) + " " + TimeLabel.label(zone, at: date)
    }

    /// `17:00 CET`, `Mon 09:00 UTC (18:00 JST)`.
    func time(_ seconds: Double, zone windowZone: String?) -> String {
        TimeLabel.text(Date(timeIntervalSince1970: seconds), relativeTo: now, in: zone,
                       alsoIn: windowZone.flatMap(TimeZone.init(identifier:)))
    }

    /// One reason: its words (with the worker's name once), then when it ends.
    func reason(_ w: JSONValue) -> String {
        var line = w["reason"]?.stringValue ?? ""
        if let worker = w["worker"]?.stringValue, !line.hasPrefix("worker \(worker)") {
            line = "worker \(worker): " + line
        }
        if let until = w["until"]?.doubleValue {
            line += ", until " + time(until, zone: w["until_zone"]?.stringValue)
        } else if let condition = w["condition"]?.stringValue {
            line += ", " + condition
        }
        return line
    }

    /// `expected start 15:32 CET: after 2 builds ahead on w1; w1 frees in ~3 min`, or
    /// `expected start unknown: …`; nil when the request carries no estimate.
    func expected(_ r: JSONValue) -> String? {
        guard let why = r["expected_start_reason"]?.stringValue else { return nil }
        guard let start = r["expected_start"]?.doubleValue else {
            let rest = why.hasPrefix("unknown: ") ? String(why.dropFirst("unknown: ".count)) : why
            return "expected start unknown: " + rest
        }
        return "expected start " + (start <= now.timeIntervalSince1970 ? "now" : time(start, zone: nil)) + ": " + why
    }

    /// `by kind: 2 unavailable (first until 17:00 CET), 1 busy`; nil without entries.
    func summary(_ entries: [JSONValue]) -> String? {
        let parts = entries.compactMap { e -> String? in
            guard let kind = e["kind"]?.stringValue.flatMap(WaitingKind.init(rawValue:)),
                  let workers = e["workers"]?.integer(in: 0...1_000_000) else { return nil }
            var part = "\(workers) \(kind.words)"
            if let until = e["until"]?.doubleValue {
                part += " (first until \(time(until, zone: e["until_zone"]?.stringValue)))"
            }
            return part
        }
        return parts.isEmpty ? nil : "by kind: " + parts.joined(separator: ", ")
    }
}
