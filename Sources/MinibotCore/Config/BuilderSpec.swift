/// A `builders:` entry: which workers may run it, the locks it takes, and its steps as data.
public struct BuilderSpec: Sendable, Equatable {
    public var name: String
    public var workers: [String]
    public var locks: [LockAccess]
    public var steps: [StepSpec]
    /// Pending requests made from changes for the same source collapse into the newest
    /// (Buildbot's default; the rule is ``RequestCollapser``).
    public var collapseRequests: Bool
    public var properties: [String: String]
    public var tags: [String]
    public var description: String?

    public init(name: String, workers: [String], locks: [LockAccess] = [], steps: [StepSpec],
                collapseRequests: Bool = true, properties: [String: String] = [:], tags: [String] = [],
                description: String? = nil) {
        self.name = name
        self.workers = workers
        self.locks = locks
        self.steps = steps
        self.collapseRequests = collapseRequests
        self.properties = properties
        self.tags = tags
        self.description = description
    }
}
