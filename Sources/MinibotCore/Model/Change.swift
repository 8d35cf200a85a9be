import Foundation

/// One commit seen by a change source or posted to the change hook.
public struct Change: Sendable, Equatable, Codable {
    /// Assigned by the store; 0 before it is recorded.
    public var id: Int64
    public var revision: String
    public var branch: String
    public var repository: String
    public var project: String
    public var category: String?
    /// `Name <email>`.
    public var author: String
    public var committer: String?
    public var comments: String
    public var files: [String]
    /// When the change was made (commit time).
    public var when: Date
    /// The change source or hook that reported it.
    public var source: String

    public init(id: Int64 = 0, revision: String, branch: String, repository: String, project: String = "",
                category: String? = nil, author: String, committer: String? = nil, comments: String,
                files: [String] = [], when: Date, source: String) {
        self.id = id
        self.revision = revision
        self.branch = branch
        self.repository = repository
        self.project = project
        self.category = category
        self.author = author
        self.committer = committer
        self.comments = comments
        self.files = files
        self.when = when
        self.source = source
    }
}
