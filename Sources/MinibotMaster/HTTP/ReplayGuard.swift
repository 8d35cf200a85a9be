import DequeModule
import Foundation

/// Which signed change-hook requests to take: each signature carries its timestamp, is
/// accepted only within ``window`` of the master's time, and only once.
///
/// A pure value: the route keeps it behind a lock and passes the time in. It remembers the
/// signatures it accepted for twice the window after they arrived (a timestamp up to one
/// window in the future stays valid that long), at most ``capacity`` of them: past that the
/// oldest is forgotten first, so memory stays bounded whatever a sender does.
struct ReplayGuard: Sendable {
    /// How far a timestamp may be from the master's time.
    static let window: TimeInterval = 300

    let capacity: Int
    private var seen: Set<String> = []
    private var arrivals: Deque<(signature: String, at: Date)> = []

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// Why a request signed `signature` over `timestamp` is refused, or nil when it is taken
    /// (and remembered, so the same signature is refused from now on).
    mutating func admit(signature: String, timestamp: Date, now: Date) -> String? {
        forget(before: now.addingTimeInterval(-2 * Self.window))
        let skew = now.timeIntervalSince(timestamp)
        if skew > Self.window { return "the signed request is too old (\(Int(skew)) s; at most \(Int(Self.window)) s)" }
        if -skew > Self.window { return "the signed request's timestamp is in the future (\(Int(-skew)) s ahead)" }
        if seen.contains(signature) { return "the signed request was already received (a replay)" }
        if arrivals.count >= capacity, let oldest = arrivals.popFirst() { seen.remove(oldest.signature) }
        seen.insert(signature)
        arrivals.append((signature, now))
        return nil
    }

    /// How many signatures it remembers.
    var count: Int { arrivals.count }

    private mutating func forget(before limit: Date) {
        while let first = arrivals.first, first.at < limit {
            arrivals.removeFirst()
            seen.remove(first.signature)
        }
    }
}
