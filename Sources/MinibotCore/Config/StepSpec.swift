/// One step of a builder, as data: what the worker runs and how its result counts.
public struct StepSpec: Sendable, Equatable, Codable {
    public var name: String
    public var action: StepAction
    /// Relative to the builder's directory on the worker; nil means `build`.
    public var workdir: String?
    public var env: [String: String]
    /// Seconds without completion after which the step is killed; nil: no limit.
    public var timeout: Double?
    /// Stop the build after this step fails.
    public var haltOnFailure: Bool
    /// A failure of this step makes the build FAILURE.
    public var flunkOnFailure: Bool
    /// A failure of this step makes the build WARNINGS (instead of FAILURE).
    public var warnOnFailure: Bool
    /// Locks held while this step runs.
    public var locks: [LockAccess]

    public init(name: String, action: StepAction, workdir: String? = nil, env: [String: String] = [:],
                timeout: Double? = nil, haltOnFailure: Bool = true, flunkOnFailure: Bool = true,
                warnOnFailure: Bool = false, locks: [LockAccess] = []) {
        self.name = name
        self.action = action
        self.workdir = workdir
        self.env = env
        self.timeout = timeout
        self.haltOnFailure = haltOnFailure
        self.flunkOnFailure = flunkOnFailure
        self.warnOnFailure = warnOnFailure
        self.locks = locks
    }
}

/// What a step does.
public enum StepAction: Sendable, Equatable, Codable {
    /// Run a command: an argv list, or a string for `/bin/sh -c`.
    case shell(ShellCommand)
    /// Check out a revision with libgit2 on the worker.
    case git(GitCheckoutSpec)
}

/// A shell step's command.
public enum ShellCommand: Sendable, Equatable, Codable {
    case argv([String])
    case script(String)

    /// The command as one line, for logs and the API.
    public var display: String {
        switch self {
        case .argv(let a): a.joined(separator: " ")
        case .script(let s): s
        }
    }
}

/// A `git` step: clone or update `repository` and check out the build's revision.
public struct GitCheckoutSpec: Sendable, Equatable, Codable {
    public enum Mode: String, Sendable, Equatable, Codable {
        /// Fetch into the existing clone.
        case incremental
        /// Remove untracked and ignored files first.
        case full
    }

    public var repository: String
    public var mode: Mode
    /// Branch to check out when the build names no revision.
    public var branch: String?

    public init(repository: String, mode: Mode = .incremental, branch: String? = nil) {
        self.repository = repository
        self.mode = mode
        self.branch = branch
    }
}
