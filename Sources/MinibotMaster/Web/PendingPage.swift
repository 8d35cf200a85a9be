import Foundation
import MinibotCore
import MinibotHostFacts

/// The pending page's view model: every waiting request, in serving order, with its reasons
/// summed over workers and until when.
struct PendingPage: Sendable, Equatable {
    struct Row: Sendable, Equatable {
        var id: Int64
        var builder: String
        var builderLink: String
        var priority: Int
        var submitted: String
        var waited: String
        var reason: String
        var branch: String
        var reasons: [ReasonSummary.Line]
        /// `2 unavailable (first until 17:00 CET), 1 busy` (``WaitingSummary``), or empty.
        var byKind: String
        /// When it will probably start (`15:32 CET`, `now`, `unknown`), empty without an estimate.
        var expected: String
        /// Why then (``StartEstimate/explanation``).
        var expectedWhy: String
    }

    var title: String
    var rows: [Row]

    /// - Parameters:
    ///   - requests: pending requests in serving order.
    ///   - estimates: expected starts (``StartEstimator``), by request.
    ///   - zone: the master's zone, in which the ends of waits are shown.
    static func make(title: String, requests: [BuildRequest], waiting: [Int64: [WaitingReason]],
                     estimates: [Int64: StartEstimate] = [:], now: Date, zone: TimeZone = .current) -> PendingPage {
        PendingPage(title: title, rows: requests.map { r in
            let reasons = waiting[r.id] ?? []
            let estimate = estimates[r.id]
            return Row(id: r.id, builder: r.builderName, builderLink: WebFormat.builderLink(r.builderName), priority: r.priority,
                       submitted: WebFormat.time(r.submittedAt), waited: WebFormat.duration(now.timeIntervalSince(r.submittedAt)),
                       reason: r.reason, branch: r.sourceStamp.branch ?? "",
                       reasons: ReasonSummary(reasons, now: now, zone: zone).lines,
                       byKind: byKind(WaitingSummary(reasons), now: now, zone: zone),
                       expected: estimate.map { expected($0, now: now, zone: zone) } ?? "",
                       expectedWhy: estimate?.explanation ?? "")
        })
    }

    /// `15:32 CET`, `now` or `unknown`.
    static func expected(_ estimate: StartEstimate, now: Date, zone: TimeZone) -> String {
        guard let start = estimate.start else { return "unknown" }
        return start <= now ? "now" : TimeLabel.text(start, relativeTo: now, in: zone, alsoIn: nil)
    }

    /// The summary by kind as one line.
    static func byKind(_ summary: WaitingSummary, now: Date, zone: TimeZone) -> String {
        summary.entries.map { e in
            var part = "\(e.workers) \(e.kind.words)"
            if let until = e.until {
                part += " (first until " + TimeLabel.text(until, relativeTo: now, in: zone,
                                                         alsoIn: e.untilZone.flatMap(TimeZone.init(identifier:))) + ")"
            }
            return part
        }.joined(separator: ", ")
    }
}
