import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// The master's web logins (``WebSessionTable`` behind a lock) and the cookie that names one.
///
/// The cookie is `minibot_session=ID; Path=/; HttpOnly; SameSite=Strict` (and `Secure` when
/// the request came through a TLS proxy that says so): scripts cannot read it and no other
/// site's page can make the browser send it.
final class WebSessions: Sendable {
    static let cookieName = "minibot_session"

    private let table: Mutex<WebSessionTable>
    /// Failed logins per address: each new try from it waits longer (as worker hellos do).
    let failedLogins = Mutex(HelloThrottle())

    init(capacity: Int = WebSessionTable.defaultCapacity) {
        table = Mutex(WebSessionTable(capacity: capacity))
    }

    func open(user: String, now: Date, lifetime: TimeInterval) -> WebSession {
        let id = Self.randomToken(), csrf = Self.randomToken()
        return table.withLock { $0.open(user: user, id: id, csrf: csrf, now: now, lifetime: lifetime) }
    }

    /// The request's session, when its cookie names a live one.
    func session(of request: Request, now: Date, lifetime: TimeInterval) -> WebSession? {
        guard let id = Self.cookie(Self.cookieName, in: request.headers[values: .cookie]) else { return nil }
        return table.withLock { $0.find(id, now: now, lifetime: lifetime) }
    }

    func close(_ id: String) { table.withLock { $0.close(id) } }
    func note(_ id: String, _ text: String) { table.withLock { $0.note(id, text) } }
    func takeNotice(_ id: String) -> String? { table.withLock { $0.takeNotice(id) } }

    /// The value of cookie `name` in `Cookie` headers; nil when absent or not a token of ours
    /// (64 hex digits), so nothing else is ever looked up.
    static func cookie(_ name: String, in headers: [String]) -> String? {
        for header in headers.prefix(16) {
            for part in header.split(separator: ";", maxSplits: 64) {
                let pair = part.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == name else { continue }
                let value = pair[1].trimmingCharacters(in: .whitespaces)
                if value.utf8.count == 64, value.utf8.allSatisfy({ Self.hexDigits.contains($0) }) { return value }
            }
        }
        return nil
    }

    /// The `Set-Cookie` value that stores `id` (or, with nil, removes the cookie).
    static func setCookie(_ id: String?, secure: Bool, lifetime: TimeInterval) -> String {
        var text = "\(cookieName)=\(id ?? ""); Path=/; HttpOnly; SameSite=Strict"
        // Max-Age in whole seconds: a checked conversion of a config value bounded to 90 days.
        text += id == nil ? "; Max-Age=0" : "; Max-Age=\(Int(exactly: lifetime.rounded()) ?? 43_200)"
        if secure { text += "; Secure" }
        return text
    }

    /// Whether the request came over TLS, as a proxy in front says (`X-Forwarded-Proto: https`).
    static func isSecure(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    private static let hexDigits = Set("0123456789abcdef".utf8)

    /// 32 random bytes as 64 hex digits.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(64)
        for _ in 0..<4 {
            let word = generator.next() as UInt64
            let hex = String(word, radix: 16)
            text += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return text
    }
}
