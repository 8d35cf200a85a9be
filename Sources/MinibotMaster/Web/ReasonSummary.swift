import Foundation
import MinibotCore

/// Why a request waits, summed over workers: the per-worker reasons with the worker's name
/// taken out are grouped, so "worker a: outside hours", "worker b: outside hours" reads
/// "2 workers (a, b): outside hours". Pure.
struct ReasonSummary: Sendable, Equatable {
    struct Line: Sendable, Equatable {
        /// `2 workers (a, b): outside hours`, or a request-wide reason as it is.
        var text: String
        /// When it may change by itself, as page text (`until 2026-… UTC`), or empty.
        var until: String
        var count: Int
    }

    var lines: [Line]

    init(_ reasons: [WaitingReason]) {
        var order: [String] = []
        var groups: [String: (workers: [String], until: Date?)] = [:]
        var wide: [Line] = []
        for r in reasons {
            guard let worker = r.worker else {
                wide.append(Line(text: r.reason, until: r.until.map { "until " + WebFormat.time($0) } ?? "", count: 1))
                continue
            }
            let text = Self.withoutWorker(r.reason, worker)
            if groups[text] == nil { order.append(text) }
            var g = groups[text] ?? ([], nil)
            g.workers.append(worker)
            // The group's wait ends when the first of its workers' does.
            if let u = r.until { g.until = min(g.until ?? u, u) }
            groups[text] = g
        }
        let perWorker = order.map { text -> Line in
            let g = groups[text]!
            let who = g.workers.count == 1 ? "worker \(g.workers[0])" : "\(g.workers.count) workers (\(g.workers.joined(separator: ", ")))"
            return Line(text: "\(who): \(text)", until: g.until.map { "until " + WebFormat.time($0) } ?? "", count: g.workers.count)
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
