/// A PostgreSQL database named by a `postgresql://USER@HOST:PORT/DB` URL, without its password.
///
/// A password never appears in the URL (master.cfg is often in version control, and URLs end
/// up in logs): the URL that holds one is refused. The password comes from `PGPASSWORD` or
/// from a libpq password file (`?passfile=PATH`, `PGPASSFILE`, or `~/.pgpass`), read when the
/// store connects. What the URL leaves out comes from `PGHOST`, `PGPORT`, `PGUSER` and
/// `PGDATABASE`, as libpq does. A host that starts with `/` (`?host=/run/postgresql`) is a
/// directory holding the server's unix socket.
public struct PostgresAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    /// A libpq password file named in the URL (`?passfile=`), if any.
    public var passfile: String?

    public init(host: String = "127.0.0.1", port: Int = 5432, user: String, database: String,
                passfile: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.passfile = passfile
    }

    /// The parameters a URL may carry after `?`.
    public static let parameters = ["passfile", "host", "sslmode", "application_name"]

    /// Parses `postgresql://[USER@][HOST][:PORT][/DB][?passfile=PATH&host=DIR&sslmode=disable]`.
    public init(url: String, environment: [String: String] = [:]) throws(DatabaseAddress.Problem) {
        typealias Problem = DatabaseAddress.Problem
        guard let scheme = url.range(of: "://") else { throw Problem("'\(url)' is not a postgresql:// URL") }
        var rest = Substring(url[scheme.upperBound...])
        var query: [String: String] = [:]
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                let key = parts[0]
                guard Self.parameters.contains(key) else {
                    throw Problem("the database URL has an unknown parameter '\(key)'; known: "
                        + Self.parameters.joined(separator: ", "))
                }
                query[key] = parts.count == 2 ? Self.percentDecoded(parts[1]) : ""
            }
            rest = rest[..<mark]
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
        }
        var user = ""
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            if credentials.contains(":") {
                throw Problem("the database URL holds a password; never write it in master.cfg: put it in "
                    + "a password file (?passfile=PATH, PGPASSFILE or ~/.pgpass) or in PGPASSWORD")
            }
            user = Self.percentDecoded(String(credentials))
            rest = rest[rest.index(after: at)...]
        }
        var host = String(rest)
        var port: Int?
        if host.hasPrefix("[") {
            // An IPv6 literal: [::1]:5432.
            guard let close = host.firstIndex(of: "]") else { throw Problem("the database URL has an unclosed '['") }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { port = try Self.port(String(after.dropFirst())) }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            port = try Self.port(String(host[host.index(after: colon)...]))
            host = String(host[..<colon])
        }
        if let socketHost = query["host"], !socketHost.isEmpty { host = socketHost }
        if let mode = query["sslmode"], mode != "disable" {
            throw Problem("sslmode=\(mode) is not supported yet; use sslmode=disable on a trusted network "
                + "or a unix socket (?host=/run/postgresql)")
        }
        self.host = host.isEmpty ? (environment["PGHOST"] ?? "127.0.0.1") : host
        if port == nil, let text = environment["PGPORT"] { port = try Self.port(text) }
        self.port = port ?? 5432
        self.user = user.isEmpty ? (environment["PGUSER"] ?? "") : user
        guard !self.user.isEmpty else {
            throw Problem("the database URL names no user; write postgresql://USER@HOST:PORT/DB or set PGUSER")
        }
        let database = Self.percentDecoded(path)
        self.database = database.isEmpty ? (environment["PGDATABASE"] ?? self.user) : database
        self.passfile = query["passfile"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether `host` is a directory holding the server's unix socket.
    public var isUnixSocket: Bool { host.hasPrefix("/") }

    /// The socket file for a unix-socket host (`DIR/.s.PGSQL.PORT`, libpq's name).
    public var socketPath: String { host + "/.s.PGSQL.\(port)" }

    /// The URL without any password (there is none to leave out): safe to log.
    public var description: String {
        let shown = isUnixSocket ? "localhost" : (host.contains(":") ? "[\(host)]" : host)
        var text = "postgresql://\(user)@\(shown):\(port)/\(database)"
        var parameters: [String] = []
        if isUnixSocket { parameters.append("host=\(host)") }
        if let passfile { parameters.append("passfile=\(passfile)") }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    private static func port(_ text: String) throws(DatabaseAddress.Problem) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw DatabaseAddress.Problem("the database port '\(text)' is not a number from 1 to 65535")
        }
        return port
    }

    /// `%XX` escapes decoded (user names and paths may hold `@` or `/`); invalid escapes kept.
    static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
