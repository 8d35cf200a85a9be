/// A `change_sources:` entry.
public enum ChangeSourceSpec: Sendable, Equatable {
    case gitPoller(GitPollerSpec)

    public var name: String {
        switch self { case .gitPoller(let p): p.name }
    }
}

/// `git_poller:` — fetches a repository into a bare mirror and turns new commits into changes.
public struct GitPollerSpec: Sendable, Equatable {
    public enum Branches: Sendable, Equatable {
        case all
        case only([String])

        public func matches(_ branch: String) -> Bool {
            switch self {
            case .all: true
            case .only(let names): names.contains(branch)
            }
        }
    }

    public var name: String
    /// Any URL libgit2 fetches: a local path, `file://`, https, ssh.
    public var repository: String
    public var branches: Branches
    /// Seconds between polls.
    public var pollInterval: Double

    public init(name: String, repository: String, branches: Branches = .only(["main"]), pollInterval: Double = 600) {
        self.name = name
        self.repository = repository
        self.branches = branches
        self.pollInterval = pollInterval
    }
}
