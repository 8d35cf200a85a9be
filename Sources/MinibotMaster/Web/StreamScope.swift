import MinibotCore

/// Which of the master's events a page's stream carries (`/events?build=ID`,
/// `?builder=NAME`, `?page=home|pending|workers`), and under which SSE event name: `build`,
/// `step`, `request`, `worker` (log lines, `log`, are made by the stream itself). Pure.
enum StreamScope: Sendable, Equatable {
    case build(Int64)
    case builder(String)
    case home
    case pending
    case workers

    /// Reads the scope from the query; nil when it names none (400).
    init?(query: APIQuery) {
        if let raw = query.string("build") {
            guard let id = Int64(raw) else { return nil }
            self = .build(id)
        } else if let name = query.string("builder") {
            self = .builder(name)
        } else {
            switch query.string("page") {
            case "home": self = .home
            case "pending": self = .pending
            case "workers": self = .workers
            default: return nil
            }
        }
    }

    /// Whether this is a page's stream, whose frames only tell the page to reload (every
    /// scope but a build's, which carries log lines).
    var isPage: Bool {
        if case .build = self { return false }
        return true
    }

    /// The event types a page's stream carries when the type alone decides (home, pending,
    /// workers), so the stream asks the log for the newest of each instead of reading every
    /// event; nil when the fields decide too (a build's, a builder's).
    var eventTypes: Set<MasterEvent>? {
        switch self {
        case .build, .builder: nil
        case .home, .pending, .workers: Set(MasterEvent.allCases.filter { name(for: $0, fields: [:]) != nil })
        }
    }

    /// The SSE event name for a master event, or nil when this scope does not carry it.
    func name(for type: MasterEvent, fields: [String: JSONValue]) -> String? {
        let kind: String
        switch type {
        case .buildStarted, .buildFinished, .buildHeld: kind = "build"
        case .stepStarted, .stepFinished, .stepWaitingForLock, .stepLog: kind = "step"
        case .requestsSubmitted, .requestWaiting, .requestRemoved: kind = "request"
        case .workerAttached, .workerDetached, .workerStatus: kind = "worker"
        default: return nil
        }
        switch self {
        case .build(let id):
            guard kind == "build" || kind == "step" else { return nil }
            return fields["buildid"]?.doubleValue == Double(id) ? kind : nil
        case .builder(let name):
            switch kind {
            case "build": return fields["builder"]?.stringValue == name ? kind : nil
            case "request": return kind
            default: return nil
            }
        case .home:
            return kind == "build" || kind == "request" || (kind == "worker" && type != .workerStatus) ? kind : nil
        case .pending:
            return kind == "request" || kind == "build" || (kind == "worker" && type != .workerStatus) ? kind : nil
        case .workers:
            return kind == "worker" || kind == "build" ? kind : nil
        }
    }
}
