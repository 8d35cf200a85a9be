/// A hint from a ``SharedStore`` that another master (or this one) changed something this
/// master may have to act on: requests recorded or made pending again, a change recorded, a
/// poll asked for. Carries ids and names only; the master reads the rows itself, and a hint
/// it cannot read is harmless (the next rescan finds the rows).
public enum StoreWakeUp: Sendable, Equatable {
    /// A buildset was recorded with requests for some builders.
    case buildset(Int64)
    /// One request became pending again (its build ended RETRY, its claim was released).
    case request(Int64)
    /// A change was recorded (by a poller or a change hook on any master): the schedulers
    /// this master owns look at it.
    case change(Int64)
    /// A master was asked to poll a repository (the push hook) whose poller another master
    /// owns: the owner polls now.
    case poll(String)
    /// Master NAME appended events to its stream (``SharedStore/appendEvents(_:master:)``):
    /// the others read them.
    case events(String)
    /// Anything may have changed (the listener (re)connected, or the reaper released the
    /// claims of dead masters): reload every pending request.
    case rescan

    /// The longest poller or master name a ``poll(_:)`` or ``events(_:)`` carries (a master is
    /// named by its host and directory; NOTIFY takes up to 8000 bytes).
    public static let maxNameBytes = 5000

    /// The text a notification carries: `b:ID`, `r:ID`, `c:ID`, `p:NAME`, `e:MASTER` or `rescan`.
    public var payload: String {
        switch self {
        case .buildset(let id): "b:\(id)"
        case .request(let id): "r:\(id)"
        case .change(let id): "c:\(id)"
        case .poll(let name): "p:\(name)"
        case .events(let master): "e:\(master)"
        case .rescan: "rescan"
        }
    }

    /// Reads a notification's text; nil for anything else (never trusted to be well formed).
    public init?(payload: String) {
        if payload == "rescan" {
            self = .rescan
            return
        }
        guard payload.utf8.count <= 2 + Self.maxNameBytes else { return nil }
        let parts = payload.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        if parts[0] == "p" || parts[0] == "e" {
            guard !parts[1].isEmpty else { return nil }
            self = parts[0] == "p" ? .poll(String(parts[1])) : .events(String(parts[1]))
            return
        }
        guard let id = Int64(parts[1]), id > 0 else { return nil }
        switch parts[0] {
        case "b": self = .buildset(id)
        case "r": self = .request(id)
        case "c": self = .change(id)
        default: return nil
        }
    }
}
