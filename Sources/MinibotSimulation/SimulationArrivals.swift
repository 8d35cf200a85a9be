import Foundation
import MinibotCore

/// The build arrivals the simulator replays: the master's history (its answer to
/// `GET /api/v2/buildrequests?complete=true`), or a file of lines `TIME BUILDER DURATION [PRIORITY]`.
///
/// In a file, `TIME` is ISO 8601 (`2026-12-01T09:30:00Z`, `2026-12-01T10:30:00+01:00`) or
/// seconds since 1970, `DURATION` is `90s`, `5m`, `1h30m` (``DurationText``), `PRIORITY` an
/// integer in ``BuildRequest/priorityRange``; `#` starts a comment. Errors name the line.
public enum SimulationArrivals {
    /// More arrivals than this are refused.
    public static let maxArrivals = 100_000

    /// The requests of the history that were built: submitted, claimed and completed. The
    /// duration is from the claim to the end (the build's run), the actual start the claim.
    public static func history(json data: Data) throws(SimulationInputError) -> [SimulatedArrival] {
        let rows = try SimulationTrace.decode(HistoryDocument.self, from: data, "the history", list: "buildrequests",
                                              item: "request").buildrequests
        let time = SimulationTrace.timeRange
        var arrivals: [SimulatedArrival] = []
        for row in rows.prefix(maxArrivals) {
            guard let id = row.buildrequestid.flatMap({ Int64(exactly: $0) }), id > 0, let builder = row.builder,
                  let submitted = row.submitted_at, time.contains(submitted),
                  let claimed = row.claimed_at, time.contains(claimed),
                  let completed = row.complete_at, time.contains(completed), completed >= claimed else { continue }
            let priority = row.priority.flatMap { Int(exactly: $0) }.flatMap { BuildRequest.priorityRange.contains($0) ? $0 : nil } ?? 0
            arrivals.append(SimulatedArrival(id: id, builder: builder, time: Date(timeIntervalSince1970: submitted),
                                             duration: completed - claimed, priority: priority,
                                             actualStart: Date(timeIntervalSince1970: claimed)))
        }
        return arrivals.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
    }

    /// The fields of `GET /api/v2/buildrequests` the replay reads (the others are skipped).
    struct HistoryDocument: Decodable {
        var buildrequests: [Row]

        struct Row: Decodable {
            var buildrequestid: Double?
            var builder: String?
            var priority: Double?
            var submitted_at: Double?
            var claimed_at: Double?
            var complete_at: Double?
        }
    }

    /// The arrivals of a file's text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(SimulationInputError) -> [SimulatedArrival] {
        var arrivals: [SimulatedArrival] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if fields.isEmpty { continue }
            func fail(_ message: String) -> SimulationInputError { SimulationInputError("\(file):\(n + 1): \(message)") }
            guard arrivals.count < maxArrivals else { throw fail("more than \(maxArrivals) arrivals") }
            guard fields.count == 3 || fields.count == 4 else {
                throw fail("expected TIME BUILDER DURATION [PRIORITY], got \(fields.count) fields")
            }
            guard let time = Self.time(fields[0]) else {
                throw fail("'\(fields[0])' is not a time (ISO 8601 like 2026-12-01T09:30:00Z, or seconds since 1970)")
            }
            guard let duration = DurationText.seconds(fields[2]) else {
                throw fail("'\(fields[2])' is not a duration (like 90s, 5m or 1h30m)")
            }
            var priority = 0
            if fields.count == 4 {
                guard let p = Int(fields[3]), BuildRequest.priorityRange.contains(p) else {
                    throw fail("priority '\(fields[3])' must be an integer in \(BuildRequest.priorityRange)")
                }
                priority = p
            }
            arrivals.append(SimulatedArrival(id: Int64(n + 1), builder: fields[1], time: time, duration: duration,
                                             priority: priority))
        }
        return arrivals.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
    }

    /// ISO 8601 with a zone, or seconds since 1970 (at most year 9999).
    public static func time(_ text: String) -> Date? {
        if let seconds = Double(text) {
            return SimulationTrace.timeRange.contains(seconds) ? Date(timeIntervalSince1970: seconds) : nil
        }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
