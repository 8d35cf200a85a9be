import Foundation
import MinibotCore
import MinibotHostFacts

/// What `minibot availability simulate` prints for one or two replays of the same arrivals:
/// a table (one row per arrival, a column group per policy) and a summary per policy.
/// Pure text; the command prints the table with its usual column layout.
public struct SimulationReport: Sendable {
    /// One replay and the name it is shown under (its config file).
    public struct Column: Sendable {
        public var name: String
        public var result: SimulationResult

        public init(name: String, result: SimulationResult) {
            self.name = name
            self.result = result
        }
    }

    public var columns: [Column]
    public var zone: TimeZone

    public init(columns: [Column], zone: TimeZone = .current) {
        self.columns = columns
        self.zone = zone
    }

    /// The table's header.
    public var header: [String] {
        var header = ["REQUEST", "BUILDER", "SUBMITTED"]
        if hasActualStarts { header.append("REALLY WAITED") }
        for column in columns {
            let prefix = columns.count > 1 ? column.name + ": " : ""
            header += [prefix + "STARTS", "WAITS", "ON", "WHY IT WAITS"]
        }
        return header
    }

    /// One row per arrival, in submission order.
    public var rows: [[String]] {
        guard let first = columns.first else { return [] }
        let reference = first.result.from
        return first.result.builds.indices.map { i in
            let build = first.result.builds[i]
            var row = ["\(build.arrival.id)", build.arrival.builder, time(build.arrival.time, reference)]
            if hasActualStarts {
                row.append(build.arrival.actualStart.map { duration($0.timeIntervalSince(build.arrival.time)) } ?? "-")
            }
            for column in columns {
                let b = column.result.builds.indices.contains(i) ? column.result.builds[i] : build
                guard let start = b.start, let wait = b.wait else {
                    row += ["not started", "-", "-", b.mainReason?.reason ?? "-"]
                    continue
                }
                row += [time(start, reference), duration(wait), b.worker ?? "-", wait > 0 ? (b.mainReason?.reason ?? "-") : "-"]
            }
            return row
        }
    }

    /// The summary lines: the range, then per policy the counts, waits and the host's peak.
    public var summary: [String] {
        guard let first = columns.first?.result else { return [] }
        // Each end written relative to the other, so a range of days shows its dates.
        var lines = ["replayed \(TimeLabel.text(first.from, relativeTo: first.to, in: zone)) to "
                     + "\(TimeLabel.text(first.to, relativeTo: first.from, in: zone)) "
                     + "(\(DurationText.describe(first.to.timeIntervalSince(first.from)))), \(first.builds.count) arrivals"]
        if hasActualStarts, let actual = actualWaits {
            lines.append("as it really was: total wait \(duration(actual.total)), median \(optional(actual.median)), "
                         + "p95 \(optional(actual.p95))")
        }
        for column in columns {
            let r = column.result
            var line = "\(column.name): \(r.started.count) started"
            if r.notStarted > 0 { line += ", \(r.notStarted) not started by the end" }
            line += "; total wait \(duration(r.totalWait)), median \(optional(r.medianWait)), p95 \(optional(r.p95Wait)), "
                + "max \(optional(r.maxWait)); peak \(r.peakRunning) build\(r.peakRunning == 1 ? "" : "s") at once on the host"
            if let at = r.peakAt, r.peakRunning > 0 { line += " (first at \(TimeLabel.text(at, relativeTo: r.from, in: zone)))" }
            lines.append(line)
            for note in r.notes { lines.append("  note: \(note)") }
        }
        return lines
    }

    var hasActualStarts: Bool { columns.first?.result.builds.contains { $0.arrival.actualStart != nil } ?? false }

    var actualWaits: (total: Double, median: Double?, p95: Double?)? {
        guard let builds = columns.first?.result.builds else { return nil }
        let waits = builds.compactMap { b in b.arrival.actualStart.map { max(0, $0.timeIntervalSince(b.arrival.time)) } }
        guard !waits.isEmpty else { return nil }
        return (waits.reduce(0, +), TypicalDuration.median(waits), SimulationResult.percentile(95, of: waits))
    }

    func time(_ date: Date, _ reference: Date) -> String {
        TimeWindow.format(date, relativeTo: reference, in: zone)
    }

    func duration(_ seconds: Double) -> String {
        seconds < 0.5 ? "0 s" : DurationText.describe(seconds.rounded())
    }

    func optional(_ seconds: Double?) -> String { seconds.map(duration) ?? "-" }
}
