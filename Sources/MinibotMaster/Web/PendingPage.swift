import Foundation
import MinibotCore

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
    }

    var title: String
    var rows: [Row]

    /// - Parameter requests: pending requests in serving order.
    static func make(title: String, requests: [BuildRequest], waiting: [Int64: [WaitingReason]], now: Date) -> PendingPage {
        PendingPage(title: title, rows: requests.map { r in
            Row(id: r.id, builder: r.builderName, builderLink: WebFormat.builderLink(r.builderName), priority: r.priority,
                submitted: WebFormat.time(r.submittedAt), waited: WebFormat.duration(now.timeIntervalSince(r.submittedAt)),
                reason: r.reason, branch: r.sourceStamp.branch ?? "", reasons: ReasonSummary(waiting[r.id] ?? []).lines)
        })
    }
}
