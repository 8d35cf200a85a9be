import Foundation

/// One web login: who, the token every form of theirs must carry, and a notice to show once.
struct WebSession: Sendable, Equatable {
    /// The cookie's value: 64 hex digits from the system's random source.
    var id: String
    var user: String
    /// The CSRF token: every form posts it back; a post without it changes nothing.
    var csrf: String
    var lastUsed: Date
    /// What the last action did (`Build 12 stopped.`), shown on the next page and then dropped.
    var notice: String?
}
