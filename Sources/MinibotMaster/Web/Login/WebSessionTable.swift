import Foundation

/// The open web logins, as a pure value: the holder (``WebSessions``) keeps it behind a lock
/// and passes the time and the random tokens in.
///
/// A session ends `lifetime` after its last use, or when logged out. At most ``capacity``
/// are kept whatever arrives: past it, expired ones go first, then the least recently used.
/// Sessions live in memory only: a master restart logs everyone out.
struct WebSessionTable: Sendable {
    static let defaultCapacity = 10_000

    let capacity: Int
    private(set) var sessions: [String: WebSession] = [:]

    init(capacity: Int = WebSessionTable.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Opens a session for `user` with the given fresh tokens.
    mutating func open(user: String, id: String, csrf: String, now: Date, lifetime: TimeInterval) -> WebSession {
        if sessions.count >= capacity {
            sessions = sessions.filter { now.timeIntervalSince($0.value.lastUsed) < lifetime }
        }
        while sessions.count >= capacity, let oldest = sessions.values.min(by: { $0.lastUsed < $1.lastUsed }) {
            sessions[oldest.id] = nil
        }
        let session = WebSession(id: id, user: user, csrf: csrf, lastUsed: now)
        sessions[id] = session
        return session
    }

    /// The live session with this id, its last use moved to `now`; nil (and forgotten) when expired.
    mutating func find(_ id: String, now: Date, lifetime: TimeInterval) -> WebSession? {
        guard var session = sessions[id] else { return nil }
        guard now.timeIntervalSince(session.lastUsed) < lifetime else {
            sessions[id] = nil
            return nil
        }
        session.lastUsed = max(session.lastUsed, now)
        sessions[id] = session
        return session
    }

    mutating func close(_ id: String) {
        sessions[id] = nil
    }

    /// Sets the notice the session's next page shows.
    mutating func note(_ id: String, _ text: String) {
        sessions[id]?.notice = String(text.prefix(500))
    }

    /// The notice to show now, dropped from the session.
    mutating func takeNotice(_ id: String) -> String? {
        defer { sessions[id]?.notice = nil }
        return sessions[id]?.notice
    }
}
