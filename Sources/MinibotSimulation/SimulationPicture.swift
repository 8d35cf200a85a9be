import Foundation
import MinibotAvailability
import MinibotCore
import MinibotHostFacts

/// The `--html` page: one standalone HTML file with an SVG timeline per replayed policy. For
/// each worker a band of its availability (advisory and unavailable differ by pattern and by
/// the words in their titles, not by colour alone) and a lane of its builds: a thin line from
/// submission to start, a bar while it runs. Above them, the recorded load. Every text from
/// outside (worker and builder names, reasons, file names) is escaped.
public struct SimulationPicture: Sendable {
    public var report: SimulationReport
    /// The first worker's load, drawn above the bands.
    public var load: [LoadSample]

    public init(report: SimulationReport, load: [LoadSample]) {
        self.report = report
        self.load = load
    }

    static let width = 1000.0
    static let left = 120.0
    static let plotWidth = 860.0
    static let loadHeight = 80.0
    static let bandHeight = 16.0
    static let laneHeight = 14.0
    /// At most this many points in the load line (the largest sample of each bucket).
    static let loadPoints = 800

    public var html: String {
        var body = ""
        for column in report.columns {
            body += "<h2>\(MarkupText.escape(column.name))</h2>\n"
            body += svg(column.result) + "\n"
        }
        body += "<pre>\(MarkupText.escape(report.summary.joined(separator: "\n")))</pre>\n"
        return """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>minibot availability simulate</title>
            <style>body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}svg{display:block;margin:.5em 0 1.5em}
            text{font:11px system-ui,sans-serif}pre{background:#f5f5f5;padding:.8em}</style></head>
            <body><h1>Availability simulation</h1>
            <p>Green: available; dotted amber: advisory (ranked last); hatched red: unavailable.
            A thin line is a build waiting, a bar a build running. Hover for reasons.</p>
            \(body)</body></html>

            """
    }

    func svg(_ result: SimulationResult) -> String {
        let from = result.from, to = result.to
        func x(_ d: Date) -> Double {
            let span = max(1, to.timeIntervalSince(from))
            return Self.left + Self.plotWidth * min(1, max(0, d.timeIntervalSince(from) / span))
        }
        let workers = result.spans.keys.sorted()
        let rowHeight = Self.bandHeight + Self.laneHeight + 8
        let height = 30 + Self.loadHeight + 20 + Double(workers.count) * rowHeight + 10
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(Self.width))\" height=\"\(n(height))\" "
            + "viewBox=\"0 0 \(n(Self.width)) \(n(height))\" role=\"img\">"
        s += """
            <defs><pattern id="dots" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#f6d78b"/>\
            <circle cx="3" cy="3" r="1.2" fill="#a87b00"/></pattern>\
            <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
            <rect width="6" height="6" fill="#f3b5b5"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b00" stroke-width="2"/></pattern></defs>
            """
        // Day ticks.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = report.zone
        var day = calendar.startOfDay(for: from)
        var ticks = 0
        while day <= to, ticks < 400 {
            if day >= from {
                let dx = x(day)
                s += "<line x1=\"\(n(dx))\" y1=\"20\" x2=\"\(n(dx))\" y2=\"\(n(height - 10))\" stroke=\"#ddd\"/>"
                s += "<text x=\"\(n(dx + 2))\" y=\"14\">\(MarkupText.escape(TimeWindow.format(day, relativeTo: from, in: report.zone)))</text>"
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
            ticks += 1
        }
        // Load.
        let top = 30.0
        let points = Self.downsample(load.filter { $0.time >= from && $0.time <= to }, buckets: Self.loadPoints)
        let peak = max(1, points.map(\.load1).max() ?? 1)
        s += "<text x=\"4\" y=\"\(n(top + 12))\">load (max \(String(format: "%.1f", peak)))</text>"
        s += "<rect x=\"\(n(Self.left))\" y=\"\(n(top))\" width=\"\(n(Self.plotWidth))\" height=\"\(n(Self.loadHeight))\" fill=\"none\" stroke=\"#ccc\"/>"
        if !points.isEmpty {
            let line = points.map { "\(n(x($0.time))),\(n(top + Self.loadHeight * (1 - $0.load1 / peak)))" }.joined(separator: " ")
            s += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"#2060c0\" stroke-width=\"1.2\"/>"
        }
        // Workers.
        var y = top + Self.loadHeight + 20
        let byWorker = Dictionary(grouping: result.builds.filter { $0.worker != nil }, by: { $0.worker ?? "" })
        for worker in workers {
            s += "<text x=\"4\" y=\"\(n(y + 12))\">\(MarkupText.escape(worker))</text>"
            for span in result.spans[worker] ?? [] {
                let x0 = x(span.from), x1 = max(x(span.to), x0 + 0.5)
                let fill = switch span.state {
                case .available: "#bfe3bf"
                case .advisory: "url(#dots)"
                case .unavailable: "url(#hatch)"
                }
                let title = "\(span.state.rawValue)\(span.reason.map { ": " + $0 } ?? "") from "
                    + TimeLabel.text(span.from, relativeTo: from, in: report.zone)
                s += "<rect x=\"\(n(x0))\" y=\"\(n(y))\" width=\"\(n(x1 - x0))\" height=\"\(n(Self.bandHeight))\" fill=\"\(fill)\">"
                    + "<title>\(MarkupText.escape(title))</title></rect>"
            }
            let lane = y + Self.bandHeight + 2
            for build in byWorker[worker] ?? [] {
                guard let start = build.start else { continue }
                let end = start.addingTimeInterval(build.arrival.duration)
                let mid = lane + Self.laneHeight / 2
                if start > build.arrival.time {
                    s += "<line x1=\"\(n(x(build.arrival.time)))\" y1=\"\(n(mid))\" x2=\"\(n(x(start)))\" y2=\"\(n(mid))\" stroke=\"#888\"/>"
                }
                var title = "\(build.arrival.builder) request \(build.arrival.id): submitted "
                    + TimeLabel.text(build.arrival.time, relativeTo: from, in: report.zone)
                    + ", starts " + TimeLabel.text(start, relativeTo: from, in: report.zone)
                if let why = build.mainReason, (build.wait ?? 0) > 0 { title += "; waits for: \(why.reason)" }
                s += "<rect x=\"\(n(x(start)))\" y=\"\(n(lane))\" width=\"\(n(max(1.5, x(end) - x(start))))\" "
                    + "height=\"\(n(Self.laneHeight))\" fill=\"#2060c0\"><title>\(MarkupText.escape(title))</title></rect>"
            }
            y += rowHeight
        }
        return s + "</svg>"
    }

    /// At most `buckets` samples: the one with the largest load in each equal slice of time.
    static func downsample(_ samples: [LoadSample], buckets: Int) -> [LoadSample] {
        guard samples.count > buckets, let first = samples.first?.time, let last = samples.last?.time, buckets > 0 else {
            return samples
        }
        let span = max(1, last.timeIntervalSince(first))
        var kept: [LoadSample] = []
        var bucket = -1
        for sample in samples {
            let share = sample.time.timeIntervalSince(first) / span * Double(buckets)
            guard share.isFinite else { continue }
            let b = Int(min(Double(buckets - 1), max(0, share.rounded(.down))))
            if b != bucket {
                kept.append(sample)
                bucket = b
            } else if sample.load1 > kept[kept.count - 1].load1 {
                kept[kept.count - 1] = sample
            }
        }
        return kept
    }

    func n(_ v: Double) -> String { v.isFinite ? String(format: "%.1f", v) : "0" }
}
