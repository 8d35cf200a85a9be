/// The whole of `master.cfg`, parsed and checked: immutable values, parsed once.
///
/// A reconfig parses a new `MasterConfig`, diffs it against the running one and applies
/// the difference; nothing mutates a configuration in place.
public struct MasterConfig: Sendable {
    public var title: String
    public var www: WWWConfig
    /// The SQLite file, relative to the master directory unless absolute, or a
    /// `postgresql://` URL (``DatabaseAddress`` reads it).
    public var db: String
    public var workers: [WorkerSpec]
    public var changeSources: [ChangeSourceSpec]
    public var schedulers: [SchedulerSpec]
    public var locks: [LockSpec]
    public var builders: [BuilderSpec]
    /// Sections under `plugins:`, in file order; each plugin checks its own.
    public var plugins: [PluginSection]
    public var janitor: JanitorConfig
    /// `distributor: {order: fair|fifo}`: in which order pending requests are served.
    public var servingOrder: ServingOrder = .fair
    /// `heartbeat: 10s`: how often the master checks on each worker link (a native worker
    /// is told to ping at this interval; a stock worker gets a `keepalive`). A link that
    /// delivers nothing for three intervals is closed as dead and its builds end RETRY.
    /// Read when a worker connects: a reload applies to links made after it.
    public var heartbeat: Double = MasterConfig.defaultHeartbeat
    /// The default ``heartbeat``, in seconds.
    public static let defaultHeartbeat: Double = 10
    /// The ``heartbeat``s master.cfg may set, in seconds.
    public static let heartbeatRange: ClosedRange<Double> = 1...3600
    /// The file this came from, for messages.
    public var path: String

    public init(
        title: String = "Minibot",
        www: WWWConfig = WWWConfig(),
        db: String = "state.sqlite",
        workers: [WorkerSpec] = [],
        changeSources: [ChangeSourceSpec] = [],
        schedulers: [SchedulerSpec] = [],
        locks: [LockSpec] = [],
        builders: [BuilderSpec] = [],
        plugins: [PluginSection] = [],
        janitor: JanitorConfig = JanitorConfig(),
        path: String = "master.cfg"
    ) {
        self.title = title
        self.www = www
        self.db = db
        self.workers = workers
        self.changeSources = changeSources
        self.schedulers = schedulers
        self.locks = locks
        self.builders = builders
        self.plugins = plugins
        self.janitor = janitor
        self.path = path
    }

    public func worker(named name: String) -> WorkerSpec? { workers.first { $0.name == name } }
    public func builder(named name: String) -> BuilderSpec? { builders.first { $0.name == name } }
    public func lock(named name: String) -> LockSpec? { locks.first { $0.name == name } }

    /// The `git_poller` change sources.
    public var gitPollers: [GitPollerSpec] {
        changeSources.map { source in
            switch source {
            case .gitPoller(let p): p
            }
        }
    }
}

/// `www:` — the HTTP server that carries the API, the web page, the change hook and the
/// worker endpoint.
public struct WWWConfig: Sendable, Equatable {
    public var port: Int
    public var bind: String
    /// The admin token itself (`admin_token`), or nil.
    public var adminToken: String?
    /// A file holding the admin token (`admin_token_file`), relative to the master directory.
    public var adminTokenFile: String?
    /// `change_hook: {secret: ...}`: when set, the change hook requires it.
    public var changeHookSecret: String?
    /// `users:`: who may log in to the web UI besides the admin token (user `admin`).
    public var users: [WebUser]
    /// `public: false`: every page and API read needs a login or the admin token (default:
    /// reading is open, writing needs a login).
    public var isPublic: Bool
    /// `session_lifetime`: how long a web login lasts without use, in seconds.
    public var sessionLifetime: Double
    /// The default ``sessionLifetime``: 12 hours.
    public static let defaultSessionLifetime: Double = 12 * 3600

    public init(port: Int = 8010, bind: String = "127.0.0.1", adminToken: String? = nil,
                adminTokenFile: String? = nil, changeHookSecret: String? = nil, users: [WebUser] = [],
                isPublic: Bool = true, sessionLifetime: Double = WWWConfig.defaultSessionLifetime) {
        self.port = port
        self.bind = bind
        self.adminToken = adminToken
        self.adminTokenFile = adminTokenFile
        self.changeHookSecret = changeHookSecret
        self.users = users
        self.isPublic = isPublic
        self.sessionLifetime = sessionLifetime
    }
}

/// One entry under `plugins:`.
public struct PluginSection: Sendable {
    public var name: String
    public var node: ConfigNode
    public var keyLocation: SourceLocation

    public init(name: String, node: ConfigNode, keyLocation: SourceLocation) {
        self.name = name
        self.node = node
        self.keyLocation = keyLocation
    }
}
