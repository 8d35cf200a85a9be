/// A `schedulers:` entry.
public enum SchedulerSpec: Sendable, Equatable {
    case singleBranch(SingleBranchSchedulerSpec)
    case force(ForceSchedulerSpec)

    public var name: String {
        switch self {
        case .singleBranch(let s): s.name
        case .force(let s): s.name
        }
    }

    public var builderNames: [String] {
        switch self {
        case .singleBranch(let s): s.builders
        case .force(let s): s.builders
        }
    }
}

/// `single_branch:` — after the tree has been stable for `treeStableTimer`, one buildset
/// with a request per builder, at the newest revision.
public struct SingleBranchSchedulerSpec: Sendable, Equatable {
    public var name: String
    /// An exact branch name; nil when `branchRegex` is used.
    public var branch: String?
    /// A regular expression the whole branch name must match.
    public var branchRegex: String?
    /// Glob patterns; when set, a change triggers builds only if one of its files matches.
    public var files: [String]?
    public var treeStableTimer: Double
    public var builders: [String]

    public init(name: String, branch: String? = nil, branchRegex: String? = nil, files: [String]? = nil,
                treeStableTimer: Double = 0, builders: [String]) {
        self.name = name
        self.branch = branch
        self.branchRegex = branchRegex
        self.files = files
        self.treeStableTimer = treeStableTimer
        self.builders = builders
    }
}

/// `force:` — requests submitted from the API or `minibot force`.
public struct ForceSchedulerSpec: Sendable, Equatable {
    public var name: String
    public var builders: [String]

    public init(name: String, builders: [String]) {
        self.name = name
        self.builders = builders
    }
}
