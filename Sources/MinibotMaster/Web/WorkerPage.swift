import Foundation
import MinibotCore
import MinibotHostFacts

/// One worker's page (`/workers/NAME`): its connection, builds x/max, load against its
/// threshold, CPU pressure, flags with who set them and until when, its windows, host and
/// agent, its recent builds and the availability picture (``TimelineSVG``).
struct WorkerPage: Sendable {
    var title: String
    var name: String
    var isConnected: Bool
    var connection: String
    var builds: String
    /// `1.20 (held back above 4.0, until below 3.2)`; empty before the first report.
    var load: String
    var cpuPressure: String
    var flags: [String]
    /// The windows that occur in the coming week, as `unavailable: restricted hours Mon-Fri 09:00-17:00 Europe/Berlin`.
    var windows: [String]
    /// The coming week's bands in words (the picture's content, readable without it).
    var upcoming: [String]
    var host: String
    /// The host agent's socket, nil when the worker uses none.
    var agent: String?
    var lastConnected: String
    var buildRows: [BuildRow]
    /// The picture, escaped by ``TimelineSVG`` itself: the template inserts it raw.
    var svg: String
    /// The recorded week's picture (``RecordedWeekSVG``, an image of its own) and its JSON.
    var weekPicture: String
    var weekJSON: String

    /// How many of its builds the page lists.
    static let listed = 25

    /// - Parameters:
    ///   - plugins: the plugins' summaries of the worker as lines (``WorkersPage/pluginLine(_:_:)``).
    ///   - timeline: what a plugin foresees for the next 7 days; nil when none does.
    ///   - history: its load over the past day, oldest first.
    ///   - builds: recent builds of every worker, newest first (this worker's are picked out).
    static func make(title: String, worker w: WorkerState, plugins: [String], timeline: AvailabilityTimeline?,
                     history: [LoadHistory.Bucket], builds: [Build], now: Date, zone: TimeZone = .current) -> WorkerPage {
        var flags: [String] = []
        if w.isPaused { flags.append("paused" + (w.pauseReason.map { ": \($0)" } ?? "")) }
        if w.isStopping { flags.append("stopping") }
        if let drain = w.drain { flags.append(WorkersPage.drainLine(drain, running: w.runningBuilds, now: now, zone: zone)) }
        flags += plugins
        var load = "", pressure = ""
        if let s = w.status {
            load = String(format: "%.2f", s.load1)
            if let p = s.cpuPressure { pressure = String(format: "%.1f%%", p) }
        }
        if let max = timeline?.maxLoad {
            let limit = "held back above \(TimelineSVG.load(max))"
                + (timeline?.resumeLoad.map { ", until below \(TimelineSVG.load($0))" } ?? "")
            load = load.isEmpty ? "not reported (\(limit))" : "\(load) (\(limit))"
        }
        if let max = timeline?.maxCPUPressure {
            let limit = "held back above \(TimelineSVG.load(max))%"
            pressure = pressure.isEmpty ? "not reported (\(limit))" : "\(pressure) (\(limit))"
        }
        var windows: [String] = []
        for band in timeline?.bands ?? [] where band.source == .window {
            let line = "\(band.state.rawValue): \(band.label)"
            if !windows.contains(line) { windows.append(line) }
        }
        let upcoming = (timeline?.bands ?? []).map { band in
            "\(band.state.rawValue): \(band.label), \(TimeLabel.text(band.start, relativeTo: now, in: zone)) – "
                + TimeLabel.text(band.end, relativeTo: band.start, in: zone)
        }
        let host = w.info.map { "\($0.hostname) · \($0.os) · \($0.cpus) cpus · \($0.facts["protocol"] ?? "minibot") \($0.version)" } ?? ""
        let mine = builds.filter { $0.workerName == w.name }
        let dayAgo = now.addingTimeInterval(-LoadHistory.span)
        let bars = mine.filter { ($0.completedAt ?? now) > dayAgo }.map { b in
            TimelineSVG.BuildBar(start: b.startedAt, end: b.completedAt, label: "\(b.builderName) #\(b.number)",
                                 look: ResultLook(b.results))
        }
        let svg = TimelineSVG(worker: w.name, now: now, zone: zone, timeline: timeline, history: history, builds: bars).svg
        return WorkerPage(title: title, name: w.name, isConnected: w.isConnected,
                          connection: w.isConnected ? "connected" : "not connected",
                          builds: "\(w.runningBuilds)/\(w.maxBuilds)", load: load, cpuPressure: pressure, flags: flags,
                          windows: windows, upcoming: upcoming, host: host, agent: w.info?.facts["agent"].flatMap { $0.isEmpty ? nil : $0 },
                          lastConnected: WebFormat.time(w.lastConnected),
                          buildRows: mine.prefix(listed).map { BuildRow($0, now: now) }, svg: svg,
                          weekPicture: "/workers/\(WebFormat.component(w.name))/week.svg",
                          weekJSON: "/api/v2/workers/\(WebFormat.component(w.name))/samples?since="
                              + String(Int64(now.addingTimeInterval(-RecordedWeekSVG.span).timeIntervalSince1970.rounded(.down))))
    }
}
