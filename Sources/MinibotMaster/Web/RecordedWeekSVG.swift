import Foundation
import MinibotCore
import MinibotHostFacts

/// A worker's recorded week (its flight recorder, fetched over the link) as a small SVG: the
/// 1-minute load, the CPU, memory and IO pressures and the free memory over the past 7 days,
/// each as polylines of at most ``buckets`` points. Pure: samples, `now` and the zone come in.
///
/// Served as an image of its own (`/workers/NAME/week.svg`) so the worker page does not wait for
/// the fetch. Each bucket shows the highest load and pressure in it and the lowest free memory
/// (the worst moment, which an average would hide); a bucket without samples breaks the line.
/// Presentation attributes only (the pages' Content-Security-Policy); the series differ by dash
/// pattern as well as colour, and the legend names them.
struct RecordedWeekSVG: Sendable {
    /// One slice of the week.
    struct Bucket: Sendable, Equatable {
        var index: Int
        var maxLoad: Double
        var maxCPUPressure: Double?
        var maxMemoryPressure: Double?
        var maxIOPressure: Double?
        var minFreeMemory: Double?
    }

    var worker: String
    var now: Date
    var zone: TimeZone
    var samples: [LoadSample]
    /// Why there are no samples to draw (not connected, no recorder…); nil when fetched.
    var unavailable: String?

    static let buckets = 600
    static let span: TimeInterval = 7 * 86_400
    static let width = 960.0
    static let left = TimelineSVG.left
    static let plotWidth = TimelineSVG.plotWidth
    static let loadTop = 24.0, loadHeight = 80.0
    static let pressureTop = 128.0, pressureHeight = 60.0
    static let memoryTop = 212.0, memoryHeight = 40.0
    static let height = 290.0

    /// The samples of `[from, from + span)` in ``buckets`` equal slices, empty slices left out.
    static func downsample(_ samples: [LoadSample], from: Date) -> [Bucket] {
        let width = span / Double(buckets)
        var slots: [Int: Bucket] = [:]
        func higher(_ a: Double?, _ b: Double?) -> Double? { [a, b].compactMap { $0 }.filter(\.isFinite).max() }
        for s in samples {
            let f = s.time.timeIntervalSince(from) / width
            guard f.isFinite, f >= 0, f < Double(buckets), s.load1.isFinite else { continue }
            let i = Int(f)
            var b = slots[i] ?? Bucket(index: i, maxLoad: s.load1)
            b.maxLoad = Swift.max(b.maxLoad, s.load1)
            b.maxCPUPressure = higher(b.maxCPUPressure, s.cpuPressureSome10)
            b.maxMemoryPressure = higher(b.maxMemoryPressure, s.memoryPressureSome10)
            b.maxIOPressure = higher(b.maxIOPressure, s.ioPressureSome10)
            b.minFreeMemory = [b.minFreeMemory, s.memAvailableBytes].compactMap { $0 }.filter(\.isFinite).min()
            slots[i] = b
        }
        return slots.values.sorted { $0.index < $1.index }
    }

    var svg: String {
        let from = now.addingTimeInterval(-Self.span)
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" class="recorded-week" viewBox="0 0 \(n(Self.width)) \(n(Self.height))" \
        width="\(n(Self.width))" height="\(n(Self.height))" role="img" aria-label="recorded load of \(WebFormat.escape(worker))">
        <title>recorded load of \(WebFormat.escape(worker)): the past 7 days</title>

        """
        guard unavailable == nil, !samples.isEmpty else {
            let why = unavailable ?? "no samples recorded in the past 7 days"
            out += text(Self.left, 40, "recorded week: \(why)", size: 12, fill: "#555")
            return out + "</svg>"
        }
        let buckets = Self.downsample(samples, from: from)
        let bucketWidth = Self.plotWidth / Double(Self.buckets)
        func x(_ b: Bucket) -> Double { Self.left + (Double(b.index) + 0.5) * bucketWidth }

        // Load: its own scale.
        let topLoad = Swift.max(1, (buckets.map(\.maxLoad).max() ?? 0) * 1.1)
        out += panel(Self.loadTop, Self.loadHeight, "past 7 days: 1-minute load (highest per \(Self.bucketMinutes) minutes)",
                     top: TimelineSVG.load(topLoad))
        out += lines(buckets, x: x, value: { $0.maxLoad }, top: topLoad, panelTop: Self.loadTop, height: Self.loadHeight,
                     css: "load", stroke: "#2255aa", dash: nil, title: "1-minute load")
        // Pressures: 0–100 %.
        out += panel(Self.pressureTop, Self.pressureHeight, "pressure, some avg10 (highest per bucket)", top: "100%")
        out += lines(buckets, x: x, value: \.maxCPUPressure, top: 100, panelTop: Self.pressureTop, height: Self.pressureHeight,
                     css: "cpu", stroke: "#aa3322", dash: nil, title: "cpu pressure")
        out += lines(buckets, x: x, value: \.maxMemoryPressure, top: 100, panelTop: Self.pressureTop, height: Self.pressureHeight,
                     css: "memory", stroke: "#7a3fa0", dash: "6 3", title: "memory pressure")
        out += lines(buckets, x: x, value: \.maxIOPressure, top: 100, panelTop: Self.pressureTop, height: Self.pressureHeight,
                     css: "io", stroke: "#2a7f3f", dash: "2 2", title: "io pressure")
        // Free memory: its own scale, the lowest per bucket.
        let topFree = Swift.max(1, buckets.compactMap(\.minFreeMemory).max() ?? 0)
        out += panel(Self.memoryTop, Self.memoryHeight, "free memory (lowest per bucket)", top: ByteSizeText.describe(topFree))
        out += lines(buckets, x: x, value: \.minFreeMemory, top: topFree, panelTop: Self.memoryTop, height: Self.memoryHeight,
                     css: "free", stroke: "#8a6d00", dash: nil, title: "free memory")
        out += legend(y: Self.pressureTop - 6)
        out += dayTicks(from: from)
        return out + "</svg>"
    }

    static var bucketMinutes: Int { Int(span / Double(buckets) / 60) }

    // MARK: pieces

    private func panel(_ top: Double, _ height: Double, _ caption: String, top label: String) -> String {
        text(Self.left, top - 6, caption, size: 12)
            + "<rect x=\"\(n(Self.left))\" y=\"\(n(top))\" width=\"\(n(Self.plotWidth))\" height=\"\(n(height))\" fill=\"#fff\" stroke=\"#999\"/>"
            + text(Self.left - 4, top + 10, label, size: 10, anchor: "end")
            + text(Self.left - 4, top + height, "0", size: 10, anchor: "end")
    }

    /// One polyline per run of consecutive buckets that have the value.
    private func lines(_ buckets: [Bucket], x: (Bucket) -> Double, value: (Bucket) -> Double?, top: Double,
                       panelTop: Double, height: Double, css: String, stroke: String, dash: String?, title: String) -> String {
        func y(_ v: Double) -> Double { panelTop + height - Swift.min(Swift.max(v, 0), top) / top * height }
        var runs: [[String]] = []
        var last: Int?
        for b in buckets {
            guard let v = value(b), v.isFinite else { last = nil; continue }
            if last.map({ $0 + 1 == b.index }) != true { runs.append([]) }
            runs[runs.count - 1].append("\(n(x(b))),\(n(y(v)))")
            last = b.index
        }
        return runs.map { points in
            // A lone point still shows: a run of one is drawn as a short flat line.
            let drawn = points.count == 1 ? [points[0], points[0]] : points
            return "<polyline class=\"\(css)\" points=\"\(drawn.joined(separator: " "))\" fill=\"none\" stroke=\"\(stroke)\" "
                + "stroke-width=\"1.5\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")><title>\(title)</title></polyline>"
        }.joined()
    }

    private func legend(y: Double) -> String {
        var out = ""
        var lx = Self.left + 330
        for (name, stroke, dash) in [("cpu", "#aa3322", nil), ("memory", "#7a3fa0", "6 3"), ("io", "#2a7f3f", "2 2")] as [(String, String, String?)] {
            out += "<line x1=\"\(n(lx))\" y1=\"\(n(y - 4))\" x2=\"\(n(lx + 20))\" y2=\"\(n(y - 4))\" stroke=\"\(stroke)\" stroke-width=\"1.5\""
                + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>" + text(lx + 24, y, name, size: 11)
            lx += 90
        }
        return out
    }

    /// A tick at each local midnight of the week, labelled with the day that starts there.
    private func dayTicks(from: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var out = ""
        var tick = calendar.startOfDay(for: from)
        for _ in 0..<9 {
            guard let next = calendar.date(byAdding: .day, value: 1, to: tick), next > tick else { break }
            tick = next
            guard tick < now else { break }
            let tx = TimelineSVG.x(tick, from: from, to: now)
            let weekday = Weekday(rawValue: calendar.component(.weekday, from: tick))?.shortName ?? ""
            out += "<line class=\"tick\" x1=\"\(n(tx))\" y1=\"\(n(Self.loadTop))\" x2=\"\(n(tx))\" "
                + "y2=\"\(n(Self.memoryTop + Self.memoryHeight + 4))\" stroke=\"#ccc\"/>"
                + text(tx + 3, Self.memoryTop + Self.memoryHeight + 16, "\(weekday) \(calendar.component(.day, from: tick))", size: 11)
        }
        return out
    }

    private func text(_ x: Double, _ y: Double, _ s: String, size: Int, anchor: String? = nil, fill: String? = nil) -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(size)\" font-family=\"sans-serif\""
            + (anchor.map { " text-anchor=\"\($0)\"" } ?? "") + (fill.map { " fill=\"\($0)\"" } ?? "")
            + ">\(WebFormat.escape(s))</text>"
    }

    private func n(_ v: Double) -> String { TimelineSVG.n(v) }
}
