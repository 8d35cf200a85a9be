/// The order in which a distributor pass considers pending requests.
///
/// - `fair` (the default): by priority (higher first); among requests of equal priority the
///   builders take turns: first the oldest request of every builder, then every builder's
///   second oldest, and so on; within a turn, the builder served longest ago goes first
///   (then the older request). A backlog of one builder cannot starve the others: with 6
///   requests of A queued before 2 of B and one worker, B's first request is served second.
/// - `fifo`: by priority, then age, then id across all builders (``DistributorPolicy/servesBefore(_:_:)``).
public enum ServingOrder: String, Sendable, Equatable, CaseIterable {
    case fair, fifo

    /// `requests` (in ``DistributorPolicy/servesBefore(_:_:)`` order) in this order.
    /// `lastServed` numbers the builders by when a build of theirs last started (higher:
    /// more recently; absent: never), as the distributor counts them.
    public func arrange(_ requests: [PendingRequest], lastServed: [String: UInt64] = [:]) -> [PendingRequest] {
        switch self {
        case .fifo: return requests
        case .fair: return Self.takingTurns(requests, lastServed: lastServed)
        }
    }

    /// Each request's turn is its place among its builder's requests of the same priority;
    /// a sort by (priority, turn, when its builder was last served, age) does the rest.
    /// O(n log n).
    static func takingTurns(_ requests: [PendingRequest], lastServed: [String: UInt64]) -> [PendingRequest] {
        guard requests.count > 1 else { return requests }
        struct Key: Hashable { var builder: String; var priority: Int }
        var seen: [Key: Int] = [:]
        var turns: [Int] = []
        var served: [UInt64] = []
        turns.reserveCapacity(requests.count)
        served.reserveCapacity(requests.count)
        for request in requests {
            let key = Key(builder: request.builder, priority: request.priority)
            let turn = seen[key, default: 0]
            seen[key] = turn + 1
            turns.append(turn)
            served.append(lastServed[request.builder] ?? 0)
        }
        let indices = requests.indices.sorted { a, b in
            let ra = requests[a], rb = requests[b]
            if ra.priority != rb.priority { return ra.priority > rb.priority }
            if turns[a] != turns[b] { return turns[a] < turns[b] }
            if served[a] != served[b] { return served[a] < served[b] }
            return a < b
        }
        return indices.map { requests[$0] }
    }
}
