import Foundation
import MinibotCore

/// The reading of one `master.cfg`: sections into Core values, plus the names each section
/// defines and references, checked against each other once everything is read (a builder
/// may come before the workers it names).
///
/// Entries with problems are kept when their name is readable, so that one mistake does not
/// cascade into "unknown worker" errors elsewhere; the loader returns a configuration only
/// when there are no errors, so these placeholders never run.
final class MasterConfigParser {
    /// A name as written, for duplicate checks and suggestions.
    struct Name {
        var name: String
        var location: SourceLocation
    }

    /// A use of a name that must be defined elsewhere.
    struct Reference {
        var name: String
        var noun: String
        var location: SourceLocation
    }

    let reader: ConfigReader
    let path: String
    let knownPlugins: [String]
    var defined: [String: [Name]] = [:]
    var references: [Reference] = []

    init(reader: ConfigReader, path: String, knownPlugins: [String]) {
        self.reader = reader
        self.path = path
        self.knownPlugins = knownPlugins
    }

    func parse(_ root: ConfigNode) -> MasterConfig {
        var config = MasterConfig(path: path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        // An empty file is a mistake (a truncated write, the wrong path), never a request to
        // run a master with nothing: refusing it keeps a reload from wiping a running master.
        if root.isNull {
            reader.error("\(name) is empty (or holds only comments); a configuration needs at least "
                         + "'workers' and 'builders'", at: root.location)
            return config
        }
        let what = "the top level of \(name)"
        reader.mapping(root, what, keys: MasterConfigLoader.topLevelKeys) { m in
            config.title = m.string("title", default: config.title)
            config.www = m.mapping("www", keys: ["port", "bind", "admin_token", "admin_token_file", "change_hook",
                                                "users", "public", "session_lifetime"]) {
                www($0)
            } ?? config.www
            if let db = m.string("db") {
                // A SQLite file or a postgresql:// URL (checked here, opened by the executable).
                do throws(DatabaseAddress.Problem) {
                    _ = try DatabaseAddress(db, environment: ProcessInfo.processInfo.environment)
                } catch {
                    m.error(error.message, at: "db")
                }
                config.db = db
            }
            config.workers = m.list("workers") { worker($0) } ?? []
            config.changeSources = m.list("change_sources") { changeSource($0) } ?? []
            config.schedulers = m.list("schedulers") { scheduler($0) } ?? []
            config.locks = m.list("locks") { lock($0) } ?? []
            config.builders = m.list("builders") { builder($0) } ?? []
            for (noun, key, names) in [("builders", "builders", config.builders.map(\.name)),
                                       ("workers", "workers", config.workers.map(\.name))] {
                var seen: [Int64: String] = [:]
                for name in names {
                    let id = StableID.of(name)
                    if let other = seen[id], other != name {
                        m.error("\(noun) '\(other)' and '\(name)' get the same numeric id \(id) in the API; rename one", at: key)
                    }
                    seen[id] = name
                }
            }
            if let node = m["plugins"] { config.plugins = plugins(node) }
            config.janitor = m.mapping("janitor", keys: ["keep_logs", "keep_builds", "log_horizon", "interval"]) { janitor($0) }
                ?? config.janitor
            config.servingOrder = m.mapping("distributor", keys: ["order"]) { d in
                d.choice("order", default: ServingOrder.fair)
            } ?? config.servingOrder
            if let seconds = m.duration("heartbeat") {
                let range = MasterConfig.heartbeatRange
                if range.contains(seconds) {
                    config.heartbeat = seconds
                } else {
                    m.error("'heartbeat' must be between \(DurationText.describe(range.lowerBound)) and "
                            + "\(DurationText.describe(range.upperBound)) (the default is 10s)", at: "heartbeat")
                }
            }
        }
        return config
    }

    /// `janitor: {keep_logs: 30d, keep_builds: 90d, interval: 1h}`, each longer than zero;
    /// `log_horizon` is keep_logs' older name (one of the two).
    func janitor(_ m: ConfigMapping) -> JanitorConfig {
        var janitor = JanitorConfig()
        if m.duration("keep_logs") != nil && m.duration("log_horizon") != nil {
            m.error("'log_horizon' is the older name of 'keep_logs': give one of them", at: "log_horizon")
        }
        for key in ["keep_logs", "log_horizon", "keep_builds", "interval"] {
            guard let seconds = m.duration(key) else { continue }
            guard seconds > 0 else {
                let hint = key == "interval" ? " (the default is 1h)"
                    : key == "keep_builds" ? " (leave it out to keep builds forever)" : " (leave it out to keep logs forever)"
                m.error("'\(key)' must be longer than zero\(hint)", at: key)
                continue
            }
            switch key {
            case "interval": janitor.interval = seconds
            case "keep_builds": janitor.buildHorizon = seconds
            default: janitor.logHorizon = seconds
            }
        }
        return janitor
    }

    /// After all sections: duplicates within each kind, and every reference resolved.
    func checkReferences() {
        for (noun, names) in defined.sorted(by: { $0.key < $1.key }) {
            reader.unique(names.map { (name: $0.name, location: $0.location) }, noun: noun)
        }
        for reference in references {
            let known = uniqueNames(defined[reference.noun] ?? [])
            reader.reference(reference.name, among: known, noun: reference.noun, at: reference.location)
        }
    }

    // MARK: names

    /// The required `name` of an entry, recorded as a definition of `noun`.
    func name(_ m: ConfigMapping, noun: String) -> String? {
        guard let name = m.string("name", required: true), let node = m["name"] else { return nil }
        if name.isEmpty {
            m.error("the \(noun) name is empty; give it a name", at: "name")
            return nil
        }
        if name.contains("/") {
            reader.error("the \(noun) name '\(name)' contains '/'; names appear in URLs and directory names, "
                         + "so use letters, digits, spaces, '-', '_' or '.'", at: node.location)
        }
        defined[noun, default: []].append(Name(name: name, location: node.location))
        return name
    }

    /// Names in `m[key]` (a list) that must be defined as `noun`s.
    func references(_ m: ConfigMapping, _ key: String, noun: String) -> [String]? {
        m.list(key) { item in
            guard let name = reader.string(item, "an item of '\(key)'") else { return nil }
            references.append(Reference(name: name, noun: noun, location: item.location))
            return name
        }
    }

    func uniqueNames(_ names: [Name]) -> [String] {
        var seen = Set<String>()
        return names.map(\.name).filter { seen.insert($0).inserted }
    }

    // MARK: sections

    func www(_ m: ConfigMapping) -> WWWConfig {
        var www = WWWConfig()
        // Port 0 asks the system for a free port (test harnesses); the master logs the one it got.
        www.port = m.int("port", default: www.port, range: 0...65535)
        www.bind = m.string("bind", default: www.bind)
        if www.bind.isEmpty { m.error("'bind' is empty; use an address such as 127.0.0.1 or 0.0.0.0", at: "bind") }
        www.adminToken = m.string("admin_token")
        www.adminTokenFile = m.string("admin_token_file")
        if www.adminToken != nil, www.adminTokenFile != nil {
            m.error("set either 'admin_token' or 'admin_token_file', not both", at: "admin_token_file")
        }
        if www.adminToken?.isEmpty == true { m.error("'admin_token' is empty; set a secret or remove the key", at: "admin_token") }
        if www.adminTokenFile?.isEmpty == true {
            m.error("'admin_token_file' is empty; name a file or remove the key", at: "admin_token_file")
        }
        www.changeHookSecret = m.mapping("change_hook", keys: ["secret"]) { hook in
            let secret = hook.string("secret")
            if secret?.isEmpty == true { hook.error("'secret' is empty; set a secret or remove the key", at: "secret") }
            return secret
        } ?? nil
        www.isPublic = m.bool("public", default: true)
        if let seconds = m.duration("session_lifetime") {
            if (60...(90 * 86400)).contains(seconds) {
                www.sessionLifetime = seconds
            } else {
                m.error("'session_lifetime' must be between 1m and 90d (the default is 12h)", at: "session_lifetime")
            }
        }
        www.users = m.list("users") { webUser($0) } ?? []
        var seen: Set<String> = []
        for user in www.users where !seen.insert(user.name).inserted {
            m.error("user '\(user.name)' is listed twice", at: "users")
        }
        return www
    }

    func webUser(_ node: ConfigNode) -> WebUser? {
        reader.mapping(node, "a web user", keys: ["name", "password_hash"]) { m in
            let name = m.string("name", required: true) ?? ""
            if name.isEmpty || name.count > 64 || name.contains(where: { $0.isWhitespace || $0.isNewline || $0 == ":" }) {
                m.error("a user name is 1 to 64 characters without spaces or ':'", at: "name")
            }
            if name == "admin" {
                m.error("'admin' is the admin token's login; name the user otherwise", at: "name")
            }
            let hash = m.string("password_hash", required: true) ?? ""
            if let problem = WebUser.hashProblem(hash) { m.error(problem, at: "password_hash") }
            return WebUser(name: name, passwordHash: hash)
        } ?? nil
    }

    func worker(_ node: ConfigNode) -> WorkerSpec? {
        reader.mapping(node, "a worker", keys: ["name", "password", "max_builds", "properties", "protocol"]) { m in
            let name = name(m, noun: "worker")
            let password = m.string("password", required: true)
            if password?.isEmpty == true {
                m.error("the password of worker '\(name ?? "?")' is empty; workers must authenticate", at: "password")
            }
            let maxBuilds = m.int("max_builds", default: 1, range: 1...Int.max)
            let properties = m.stringMap("properties") ?? [:]
            // `native` or `msgpack` (a stock buildbot-worker); left out, either is accepted.
            let wireProtocol = m.choice("protocol", as: WorkerProtocol.self)
            return name.map {
                WorkerSpec(name: $0, password: password ?? "", maxBuilds: maxBuilds, properties: properties,
                           wireProtocol: wireProtocol)
            }
        } ?? nil
    }

    func lock(_ node: ConfigNode) -> LockSpec? {
        reader.mapping(node, "a lock", keys: ["name", "kind", "max_count", "max_count_for_workers"]) { m in
            let name = name(m, noun: "lock")
            let kind = m.word("kind", allowed: ["master", "worker"]).flatMap(LockSpec.Kind.init(rawValue:)) ?? .master
            let maxCount = m.int("max_count", default: 1, range: 1...Int.max)
            let perWorker = m.dictionary("max_count_for_workers") { entry -> Int? in
                references.append(Reference(name: entry.key, noun: "worker", location: entry.keyLocation))
                return reader.int(entry.value, "'\(entry.key)' in 'max_count_for_workers'", range: 1...Int.max)
            } ?? [:]
            if m.has("max_count_for_workers"), kind == .master {
                m.error("'max_count_for_workers' applies only to worker locks; add 'kind: worker' or remove it",
                        at: "max_count_for_workers")
            }
            return name.map { LockSpec(name: $0, kind: kind, maxCount: maxCount, maxCountForWorker: perWorker) }
        } ?? nil
    }

    /// `locks: [{name: cpu, access: exclusive}]`; a bare name means counting access.
    func lockAccesses(_ m: ConfigMapping) -> [LockAccess] {
        m.list("locks") { item -> LockAccess? in
            if case .scalar(let name, _) = item.value {
                references.append(Reference(name: name, noun: "lock", location: item.location))
                return LockAccess(name: name)
            }
            return reader.mapping(item, "a lock use", keys: ["name", "access"]) { l -> LockAccess? in
                guard let name = l.string("name", required: true), let at = l["name"] else { return nil }
                references.append(Reference(name: name, noun: "lock", location: at.location))
                return LockAccess(name: name, access: l.word("access", allowed: ["counting", "exclusive"])
                                                .flatMap(LockAccess.Mode.init(rawValue:)) ?? .counting)
            } ?? nil
        } ?? []
    }

    func plugins(_ node: ConfigNode) -> [PluginSection] {
        guard case .mapping(let entries) = node.value else {
            reader.typeError(expected: "a mapping of plugin names to their settings", for: "'plugins'", found: node)
            return []
        }
        return entries.compactMap { entry in
            guard knownPlugins.contains(entry.key) else {
                // Always list them: a plugin is enabled only by its exact key, and the list is short.
                var hint = knownPlugins.isEmpty ? "this minibot has no plugins; remove the section"
                    : "known plugins: " + knownPlugins.joined(separator: ", ")
                if let near = Suggestions.closest(to: entry.key, among: knownPlugins) { hint = "did you mean '\(near)'? (\(hint))" }
                reader.error("unknown plugin '\(entry.key)'; \(hint)", at: entry.keyLocation)
                return nil
            }
            return PluginSection(name: entry.key, node: entry.value, keyLocation: entry.keyLocation)
        }
    }
}
