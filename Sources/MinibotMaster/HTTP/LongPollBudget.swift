import Synchronization

/// How many long polls (`GET /api/v2/events?timeout=S` with S > 0) and event streams
/// (`GET /events?…`, the pages' live updates) the master holds open at once, in all and per
/// client address: each is a connection and a task for up to ``maxTimeout`` seconds (a
/// stream for as long as its page is open), and without a cap one client could hold
/// thousands.
///
/// A pure value: the routes keep it behind a lock (``LongPollGate``). A poll beyond a cap is
/// refused at once (503 with `Retry-After`, then the connection is closed), never queued.
struct LongPollBudget: Sendable {
    /// The caps; `Master.Configuration.maxLongPolls` and `maxLongPollsPerClient` set them.
    struct Limits: Sendable, Equatable {
        /// Long polls open at once, from every client together.
        var total: Int
        /// Long polls open at once from one client address.
        var perClient: Int

        init(total: Int = 512, perClient: Int = 32) {
            self.total = total
            self.perClient = perClient
        }
    }

    /// The longest a long poll waits (`timeout=` above it is cut to it).
    static let maxTimeout: Double = 300
    /// What a refused client is told to wait before it tries again, in seconds.
    static let retryAfter = 5

    let limits: Limits
    private(set) var open = 0
    /// Open polls per address; only addresses with some open, so at most `limits.total`.
    private var byClient: [String: Int] = [:]

    init(limits: Limits) {
        self.limits = limits
    }

    /// Why a new long poll from `client` is refused, or nil when it is taken (and counted
    /// until ``release(_:)``).
    mutating func admit(_ client: String) -> String? {
        if open >= limits.total {
            return "the master has \(open) long polls and event streams open, its most (\(limits.total)); retry in \(Self.retryAfter) s"
        }
        if byClient[client, default: 0] >= limits.perClient {
            return "this client address has \(limits.perClient) long polls and event streams open, the most per client; retry in \(Self.retryAfter) s"
        }
        open += 1
        byClient[client, default: 0] += 1
        return nil
    }

    /// A long poll from `client` ended.
    mutating func release(_ client: String) {
        guard let count = byClient[client], count > 0 else { return }
        open -= 1
        byClient[client] = count > 1 ? count - 1 : nil
    }
}

/// The master's one ``LongPollBudget``, shared by every request.
final class LongPollGate: Sendable {
    private let budget: Mutex<LongPollBudget>

    init(limits: LongPollBudget.Limits) {
        budget = Mutex(LongPollBudget(limits: limits))
    }

    /// A place for a long poll or stream from `client`, or why there is none.
    enum Admission {
        case taken(LongPollTicket)
        case refused(String)
    }

    /// Takes a place for `client`; it is given back when the ticket is released.
    func admit(_ client: String) -> Admission {
        if let refusal = budget.withLock({ $0.admit(client) }) { return .refused(refusal) }
        return .taken(LongPollTicket(gate: self, client: client))
    }

    func release(_ client: String) { budget.withLock { $0.release(client) } }
    var open: Int { budget.withLock { $0.open } }
    var limits: LongPollBudget.Limits { budget.withLock { $0.limits } }
}
