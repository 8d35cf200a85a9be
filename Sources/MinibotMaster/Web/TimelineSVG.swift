import Foundation
import MinibotCore
import MinibotHostFacts

/// One worker's availability picture as inline SVG: the next 7 days with its window and flag
/// bands, and the past 24 hours of its measured load against the threshold and the hysteresis
/// band, with its builds drawn as bars. Pure: everything comes in as values.
///
/// The pages' Content-Security-Policy forbids `style=` attributes and scripts, so the picture
/// uses presentation attributes only. Advisory and unavailable bands differ by pattern
/// (dots, hatching) and by the word in their `<title>`, never by colour alone. Every text from
/// outside (worker names, flag reasons, builder names) is escaped.
struct TimelineSVG: Sendable {
    /// A build on the worker, drawn as a bar under the load.
    struct BuildBar: Sendable, Equatable {
        var start: Date
        /// Nil while it runs (the bar reaches `now`).
        var end: Date?
        /// `b #12`.
        var label: String
        var look: ResultLook
    }

    var worker: String
    var now: Date
    /// The master's zone: day ticks and times in titles.
    var zone: TimeZone
    /// Nil when no plugin foresees anything: the upper panel then says so.
    var timeline: AvailabilityTimeline?
    var history: [LoadHistory.Bucket]
    var builds: [BuildBar]

    static let width = 960.0
    static let left = 40.0
    static let plotWidth = 900.0
    static let days = 7.0
    /// Upper panel (the week): band rows.
    static let bandTop = 30.0
    static let bandHeight = 40.0
    /// Lower panel (the day): load plot and build bars.
    static let loadTop = 135.0
    static let loadHeight = 100.0
    static let barTop = 243.0
    static let barHeight = 10.0
    static let height = 275.0

    var svg: String {
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 \(Self.n(Self.width)) \(Self.n(Self.height))" \
        width="\(Self.n(Self.width))" height="\(Self.n(Self.height))" role="img" aria-label="availability of \(WebFormat.escape(worker))">
        <title>availability of \(WebFormat.escape(worker)): the next 7 days and the past 24 hours</title>
        <defs><pattern id="tl-unavailable" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
        <rect width="8" height="8" fill="#f6c0c0"/><line x1="0" y1="0" x2="0" y2="8" stroke="#a33" stroke-width="3"/></pattern>\
        <pattern id="tl-advisory" width="8" height="8" patternUnits="userSpaceOnUse">\
        <rect width="8" height="8" fill="#fbe9a8"/><circle cx="4" cy="4" r="1.6" fill="#8a6d00"/></pattern></defs>

        """
        out += week()
        out += day()
        out += "</svg>"
        return out
    }

    // MARK: the next 7 days

    private func week() -> String {
        let from = now, to = now.addingTimeInterval(Self.days * 86_400)
        func x(_ d: Date) -> Double { Self.x(d, from: from, to: to) }
        var out = "<g class=\"week\">"
        out += "<text x=\"\(Self.n(Self.left))\" y=\"16\" font-size=\"12\" font-family=\"sans-serif\">next 7 days "
            + "(times \(WebFormat.escape(TimeLabel.label(zone, at: now))))</text>"
        out += "<rect x=\"\(Self.n(Self.left))\" y=\"\(Self.n(Self.bandTop))\" width=\"\(Self.n(Self.plotWidth))\" "
            + "height=\"\(Self.n(Self.bandHeight))\" fill=\"#f4fbf4\" stroke=\"#999\"/>"
        if let timeline {
            for band in timeline.bands where band.end > from && band.start < to {
                let x0 = x(max(band.start, from)), x1 = x(min(band.end, to))
                let word = band.state.rawValue
                let title = "\(word): \(band.label), \(TimeLabel.text(band.start, relativeTo: now, in: zone)) – "
                    + TimeLabel.text(band.end, relativeTo: band.start, in: zone)
                out += "<rect class=\"band \(word)\" data-source=\"\(band.source.rawValue)\" x=\"\(Self.n(x0))\" "
                    + "y=\"\(Self.n(Self.bandTop))\" width=\"\(Self.n(max(1, x1 - x0)))\" height=\"\(Self.n(Self.bandHeight))\" "
                    + "fill=\"url(#tl-\(word))\" stroke=\"\(band.state == .unavailable ? "#a33" : "#8a6d00")\">"
                    + "<title>\(WebFormat.escape(title))</title></rect>"
            }
        } else {
            out += "<text x=\"\(Self.n(Self.left + 8))\" y=\"\(Self.n(Self.bandTop + 25))\" font-size=\"12\" "
                + "font-family=\"sans-serif\" fill=\"#555\">no windows or flags known (availability plugin not enabled)</text>"
        }
        // Day ticks at each local midnight, labelled with the day that starts there.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var tick = calendar.startOfDay(for: from)
        for _ in 0..<9 {
            guard let next = calendar.date(byAdding: .day, value: 1, to: tick), next > tick else { break }
            tick = next
            guard tick < to else { break }
            let tx = x(tick)
            let weekday = Weekday(rawValue: calendar.component(.weekday, from: tick))?.shortName ?? ""
            out += "<line class=\"tick\" x1=\"\(Self.n(tx))\" y1=\"\(Self.n(Self.bandTop - 4))\" x2=\"\(Self.n(tx))\" "
                + "y2=\"\(Self.n(Self.bandTop + Self.bandHeight + 4))\" stroke=\"#555\"/>"
                + "<text x=\"\(Self.n(tx + 3))\" y=\"\(Self.n(Self.bandTop + Self.bandHeight + 16))\" font-size=\"11\" "
                + "font-family=\"sans-serif\">\(weekday) \(calendar.component(.day, from: tick))</text>"
        }
        // The legend says in words what the patterns mean.
        let ly = Self.bandTop + Self.bandHeight + 30
        out += "<rect x=\"\(Self.n(Self.left))\" y=\"\(Self.n(ly - 9))\" width=\"14\" height=\"10\" fill=\"url(#tl-unavailable)\" stroke=\"#a33\"/>"
            + "<text x=\"\(Self.n(Self.left + 18))\" y=\"\(Self.n(ly))\" font-size=\"11\" font-family=\"sans-serif\">unavailable (hatched)</text>"
            + "<rect x=\"\(Self.n(Self.left + 160))\" y=\"\(Self.n(ly - 9))\" width=\"14\" height=\"10\" fill=\"url(#tl-advisory)\" stroke=\"#8a6d00\"/>"
            + "<text x=\"\(Self.n(Self.left + 178))\" y=\"\(Self.n(ly))\" font-size=\"11\" font-family=\"sans-serif\">advisory (dotted)</text>"
        return out + "</g>\n"
    }

    // MARK: the past 24 hours

    private func day() -> String {
        let from = now.addingTimeInterval(-LoadHistory.span), to = now
        func x(_ d: Date) -> Double { Self.x(d, from: from, to: to) }
        let maxLoad = timeline?.maxLoad, resume = timeline?.resumeLoad
        let measured = history.map(\.maxLoad).filter(\.isFinite).max() ?? 0
        let top = Swift.max(1, (maxLoad ?? 0) * 1.25, measured * 1.1)
        func y(_ load: Double) -> Double {
            let v = load.isFinite ? Swift.min(Swift.max(load, 0), top) : 0
            return Self.loadTop + Self.loadHeight - v / top * Self.loadHeight
        }
        var out = "<g class=\"day\">"
        out += "<text x=\"\(Self.n(Self.left))\" y=\"\(Self.n(Self.loadTop - 8))\" font-size=\"12\" font-family=\"sans-serif\">"
            + "past 24 hours: 1-minute load (highest per 5 minutes)\(maxLoad.map { " against the threshold \(Self.load($0))" } ?? "")</text>"
        out += "<rect x=\"\(Self.n(Self.left))\" y=\"\(Self.n(Self.loadTop))\" width=\"\(Self.n(Self.plotWidth))\" "
            + "height=\"\(Self.n(Self.loadHeight))\" fill=\"#fff\" stroke=\"#999\"/>"
        out += "<text x=\"\(Self.n(Self.left - 4))\" y=\"\(Self.n(Self.loadTop + 10))\" font-size=\"10\" text-anchor=\"end\" "
            + "font-family=\"sans-serif\">\(Self.load(top))</text>"
            + "<text x=\"\(Self.n(Self.left - 4))\" y=\"\(Self.n(Self.loadTop + Self.loadHeight))\" font-size=\"10\" "
            + "text-anchor=\"end\" font-family=\"sans-serif\">0</text>"
        if let maxLoad {
            if let resume, resume < maxLoad {
                out += "<rect class=\"hysteresis\" x=\"\(Self.n(Self.left))\" y=\"\(Self.n(y(maxLoad)))\" width=\"\(Self.n(Self.plotWidth))\" "
                    + "height=\"\(Self.n(y(resume) - y(maxLoad)))\" fill=\"#fbe9a8\" fill-opacity=\"0.6\">"
                    + "<title>hysteresis: held back above \(Self.load(maxLoad)) until the load is below \(Self.load(resume))</title></rect>"
            }
            out += "<line class=\"threshold\" x1=\"\(Self.n(Self.left))\" y1=\"\(Self.n(y(maxLoad)))\" "
                + "x2=\"\(Self.n(Self.left + Self.plotWidth))\" y2=\"\(Self.n(y(maxLoad)))\" stroke=\"#a33\" stroke-dasharray=\"6 3\">"
                + "<title>max load \(Self.load(maxLoad))</title></line>"
        }
        let points = history.filter { $0.start >= from.addingTimeInterval(-LoadHistory.bucketSeconds) && $0.start <= to }
            .map { b in "\(Self.n(x(b.start.addingTimeInterval(LoadHistory.bucketSeconds / 2)))),\(Self.n(y(b.maxLoad)))" }
        if points.isEmpty {
            out += "<text x=\"\(Self.n(Self.left + 8))\" y=\"\(Self.n(Self.loadTop + 55))\" font-size=\"12\" "
                + "font-family=\"sans-serif\" fill=\"#555\">no load reported in the past 24 hours</text>"
        } else {
            out += "<polyline class=\"load\" points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"#2255aa\" "
                + "stroke-width=\"1.5\"><title>measured load</title></polyline>"
        }
        out += "<text x=\"\(Self.n(Self.left - 4))\" y=\"\(Self.n(Self.barTop + 9))\" font-size=\"10\" text-anchor=\"end\" "
            + "font-family=\"sans-serif\">builds</text>"
        for b in builds {
            let end = b.end ?? now
            guard end > from, b.start < to else { continue }
            let x0 = x(Swift.max(b.start, from)), x1 = x(Swift.min(end, to))
            let title = "\(b.label) \(b.look.word), \(TimeLabel.text(b.start, relativeTo: now, in: zone))"
                + (b.end.map { " – " + TimeLabel.text($0, relativeTo: b.start, in: zone) } ?? " – running")
            out += "<rect class=\"build \(WebFormat.escape(b.look.css))\" x=\"\(Self.n(x0))\" y=\"\(Self.n(Self.barTop))\" "
                + "width=\"\(Self.n(Swift.max(2, x1 - x0)))\" height=\"\(Self.n(Self.barHeight))\" "
                + "fill=\"\(Self.colour(b.look.css))\" stroke=\"#333\" stroke-width=\"0.5\"><title>\(WebFormat.escape(title))</title></rect>"
        }
        // Times every 6 hours, in the master's zone; the ends anchored inside the picture.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        for hoursAgo in stride(from: 24, through: 0, by: -6) {
            let t = now.addingTimeInterval(-Double(hoursAgo) * 3600)
            let c = calendar.dateComponents([.hour, .minute], from: t)
            let label = hoursAgo == 0 ? "now" : TimeOfDay(hour: c.hour ?? 0, minute: c.minute ?? 0).description
            let anchor = hoursAgo == 24 ? "start" : hoursAgo == 0 ? "end" : "middle"
            out += "<line x1=\"\(Self.n(x(t)))\" y1=\"\(Self.n(Self.loadTop + Self.loadHeight))\" x2=\"\(Self.n(x(t)))\" "
                + "y2=\"\(Self.n(Self.loadTop + Self.loadHeight + 4))\" stroke=\"#555\"/>"
                + "<text x=\"\(Self.n(x(t)))\" y=\"\(Self.n(Self.barTop + Self.barHeight + 14))\" font-size=\"10\" "
                + "text-anchor=\"\(anchor)\" font-family=\"sans-serif\">\(label)</text>"
        }
        return out + "</g>\n"
    }

    // MARK: helpers

    /// The x of `d` on a panel spanning `from...to`, kept inside the panel.
    static func x(_ d: Date, from: Date, to: Date) -> Double {
        let span = to.timeIntervalSince(from)
        guard span > 0 else { return left }
        let f = d.timeIntervalSince(from) / span
        return left + (f.isFinite ? Swift.min(Swift.max(f, 0), 1) : 0) * plotWidth
    }

    /// A coordinate with one decimal (finite by construction; 0 otherwise).
    static func n(_ v: Double) -> String { v.isFinite ? String(format: "%.1f", v) : "0" }

    static func load(_ v: Double) -> String { v.isFinite ? String(format: "%.1f", v) : "?" }

    /// A result's fill, matching the stylesheet's result classes (the word is in the title).
    static func colour(_ css: String) -> String {
        switch css {
        case "success": "#4c1"
        case "warnings": "#dfb317"
        case "failure": "#e05d44"
        case "exception": "#9f4fc9"
        case "running": "#f5d742"
        case "retry": "#7fb8e6"
        default: "#9f9f9f"
        }
    }

}
