import Foundation
import MinibotCore
import MinibotHostFacts

/// The workers page's view model: connection, builds x/max, load and flags.
struct WorkersPage: Sendable, Equatable {
    struct Row: Sendable, Equatable {
        var name: String
        var isConnected: Bool
        var connection: String
        var builds: String
        var load: String
        var flags: [String]
        var host: String
        var lastConnected: String
        /// The worker's page.
        var link = ""
    }

    var title: String
    var rows: [Row]

    /// - Parameter plugins: each worker's plugin summaries, as short texts (`availability: advisory (my desktop)`).
    static func make(title: String, workers: [WorkerState], plugins: [String: [String]], now: Date = Date(),
                     zone: TimeZone = .current) -> WorkersPage {
        WorkersPage(title: title, rows: workers.map { w in
            var flags: [String] = []
            if w.isPaused { flags.append("paused" + (w.pauseReason.map { ": \($0)" } ?? "")) }
            if w.isStopping { flags.append("stopping") }
            if let drain = w.drain { flags.append(drainLine(drain, running: w.runningBuilds, now: now, zone: zone)) }
            flags += plugins[w.name] ?? []
            var load = ""
            if let s = w.status {
                load = String(format: "%.2f", s.load1)
                if let p = s.cpuPressure { load += String(format: " (cpu pressure %.1f%%)", p) }
            }
            let host = w.info.map { "\($0.hostname) · \($0.os) · \($0.cpus) cpus · \($0.facts["protocol"] ?? "minibot") \($0.version)" } ?? ""
            return Row(name: w.name, isConnected: w.isConnected, connection: w.isConnected ? "connected" : "not connected",
                       builds: "\(w.runningBuilds)/\(w.maxBuilds)", load: load, flags: flags, host: host,
                       lastConnected: WebFormat.time(w.lastConnected), link: WebFormat.workerLink(w.name))
        })
    }

    /// `draining (by alice): running builds end RETRY at 14:30 UTC`, `drained (by alice)`.
    static func drainLine(_ drain: WorkerDrain, running: Int, now: Date, zone: TimeZone) -> String {
        if DrainDeadline.isDrained(running: running) { return "drained (by \(drain.requestedBy)): no new builds" }
        guard let deadline = drain.deadline else { return "draining (by \(drain.requestedBy)): running builds finish" }
        return "draining (by \(drain.requestedBy)): running builds end RETRY at "
            + TimeLabel.text(deadline, relativeTo: now, in: zone)
    }

    /// A plugin's JSON view of a worker as one line, for the flags column:
    /// `availability: advisory (my desktop), set by alice, until 17:00 CET`.
    static func pluginLine(_ plugin: String, _ value: JSONValue) -> String {
        guard case .object(let o) = value else { return "\(plugin): \(value)" }
        var text = "\(plugin): " + (o["state"]?.stringValue ?? "")
        if let reason = o["reason"]?.stringValue, !reason.isEmpty { text += " (\(reason))" }
        if let by = o["set_by"]?.stringValue, !by.isEmpty { text += ", set by \(by)" }
        if let until = o["until_text"]?.stringValue, !until.isEmpty { text += ", \(until)" }
        return text
    }
}
