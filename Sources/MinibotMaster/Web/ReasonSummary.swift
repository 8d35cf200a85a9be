import Foundation
import MinibotCore
import MinibotHostFacts

/// Why a request waits, summed over workers: the per-worker reasons with the worker's name
/// taken out are grouped, so "worker a: outside hours", "worker b: outside hours" reads
/// "2 workers (a, b): outside hours". Pure.
struct ReasonSummary: Sendable, Equatable {
    struct Line: Sendable, Equatable {
        /// `2 workers (a, b): outside hours`, or a request-wide reason as it is.
        var text: String
        /// When the wait ends, as page text (`until 17:00 CET (18:00 JST)`, `when load < 2.4`),
        /// or empty when unknown.
        var until: String
        var count: Int
    }

    var lines: [Line]

    /// - Parameters:
    ///   - now: the page's time (a time today reads `17:00`, later ones carry the day).
    ///   - zone: the master's zone, in which times are shown with their label.
    init(_ reasons: [WaitingReason], now: Date, zone: TimeZone) {
        func end(_ r: WaitingReason) -> String {
            if let until = r.until {
                return "until " + TimeLabel.text(until, relativeTo: now, in: zone,
                                                 alsoIn: r.untilZone.flatMap(TimeZone.init(identifier:)))
            }
            return r.condition ?? ""
        }
        var order: [String] = []
        var groups: [String: (workers: [String], first: WaitingReason)] = [:]
        var wide: [Line] = []
        for r in reasons {
            guard let worker = r.worker else {
                wide.append(Line(text: r.reason, until: end(r), count: 1))
                continue
            }
            let text = Self.withoutWorker(r.reason, worker)
            guard var g = groups[text] else {
                order.append(text)
                groups[text] = ([worker], r)
                continue
            }
            g.workers.append(worker)
            // The group's wait ends when the first of its workers' does.
            if let u = r.until, g.first.until.map({ u < $0 }) ?? true { g.first = r }
            groups[text] = g
        }
        let perWorker = order.compactMap { text -> Line? in
            guard let g = groups[text] else { return nil }
            let who = g.workers.count == 1 ? "worker \(g.workers[0])" : "\(g.workers.count) workers (\(g.workers.joined(separator: ", ")))"
            return Line(text: "\(who): \(text)", until: end(g.first), count: g.workers.count)
        }.sorted { $0.count > $1.count }
        lines = wide + perWorker
    }

    /// The reason's text without the worker's name (`worker w1 busy (1/1)` → `busy (1/1)`).
    static func withoutWorker(_ reason: String, _ worker: String) -> String {
        for prefix in ["worker \(worker): ", "worker \(worker) ", "\(worker): "] where reason.hasPrefix(prefix) {
            return String(reason.dropFirst(prefix.count))
        }
        return reason
    }

    /// The reason most pending requests share (for the health line), with how many.
    static func biggest(_ waiting: [[WaitingReason]]) -> (reason: String, count: Int)? {
        var counts: [String: Int] = [:]
        for reasons in waiting {
            let texts = Set(reasons.map { r in r.worker.map { withoutWorker(r.reason, $0) } ?? r.reason })
            for t in texts { counts[t, default: 0] += 1 }
        }
        return counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }.map { ($0.key, $0.value) }
    }
}
