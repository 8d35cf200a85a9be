import Foundation
import MinibotCore

/// A builder's page: its builds with paging, and its pending requests.
struct BuilderPage: Sendable, Equatable {
    var title: String
    var name: String
    var description: String
    var workers: String
    var buildRows: [BuildRow]
    var pending: [PendingPage.Row]
    /// Links to the previous (newer) and next (older) page, empty when there is none.
    var newerLink: String
    var olderLink: String
    var page: Int
    /// Where its force form posts.
    var forceAction: String

    static let pageSize = 25

    /// - Parameters:
    ///   - builds: a page of its builds, newest first, plus one more when an older page exists.
    ///   - page: 0 for the newest.
    static func make(title: String, builder: BuilderSpec, builds: [Build], page: Int, pending: PendingPage,
                     now: Date) -> BuilderPage {
        let base = WebFormat.builderLink(builder.name)
        return BuilderPage(
            title: title, name: builder.name, description: builder.description ?? "",
            workers: builder.workers.joined(separator: ", "),
            buildRows: builds.prefix(pageSize).map { BuildRow($0, now: now) },
            pending: pending.rows,
            newerLink: page > 0 ? (page == 1 ? base : "\(base)?page=\(page - 1)") : "",
            olderLink: builds.count > pageSize ? "\(base)?page=\(page + 1)" : "",
            page: page, forceAction: "/actions/builders/\(WebFormat.component(builder.name))/force")
    }
}
