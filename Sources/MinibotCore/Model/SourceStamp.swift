/// What to build: a repository, a branch and (optionally) an exact revision.
public struct SourceStamp: Sendable, Equatable, Hashable, Codable {
    public var repository: String
    public var branch: String?
    /// nil: the branch tip at checkout time.
    public var revision: String?
    public var project: String

    public init(repository: String = "", branch: String? = nil, revision: String? = nil, project: String = "") {
        self.repository = repository
        self.branch = branch
        self.revision = revision
        self.project = project
    }
}
