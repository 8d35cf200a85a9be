import Foundation
import MinibotCore

/// The changes page: the newest changes the master recorded (pollers, hooks), newest first.
struct ChangesPage: Sendable, Equatable {
    var title: String
    var rows: [BuildPage.ChangeRow]

    static func make(title: String, changes: [Change]) -> ChangesPage {
        ChangesPage(title: title, rows: changes.map(BuildPage.ChangeRow.init))
    }
}

extension BuildPage.ChangeRow {
    /// A change as a row: the first line of its message, its time in UTC.
    init(_ c: Change) {
        self.init(id: c.id, revision: c.revision, author: c.author, branch: c.branch,
                  title: String(c.comments.split(separator: "\n", maxSplits: 1).first ?? ""),
                  when: WebFormat.time(c.when), files: c.files.count)
    }
}
