/// Where a master keeps its state, as master.cfg's `db` names it: a SQLite file (the
/// embedded default) or a PostgreSQL database that several masters share.
///
/// Parsed by the config loader (which reports ``Problem``s as config errors) and again by
/// the executable that opens the store; pure, so both agree.
public enum DatabaseAddress: Sendable, Equatable {
    /// A SQLite file, relative to the master directory unless absolute.
    case sqlite(path: String)
    /// `postgresql://USER@HOST:PORT/DB`.
    case postgres(PostgresAddress)

    /// Why a `db` setting is not an address, in words for master.cfg's author.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// Reads a `db` setting: `postgresql://` or `postgres://` URLs name PostgreSQL, any other
    /// text a SQLite file. `environment` supplies the `PG*` defaults for what the URL leaves out.
    public init(_ text: String, environment: [String: String] = [:]) throws(Problem) {
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            self = .postgres(try PostgresAddress(url: text, environment: environment))
        } else if text.contains("://") {
            throw Problem("'db' names an unknown kind of database (\(text.prefix { $0 != ":" })); "
                + "use a SQLite file name, e.g. state.sqlite, or postgresql://USER@HOST:PORT/DB")
        } else if text.isEmpty {
            throw Problem("'db' is empty; name the SQLite file, e.g. state.sqlite, or postgresql://USER@HOST:PORT/DB")
        } else {
            self = .sqlite(path: text)
        }
    }

    /// Whether this database can be shared by several masters.
    public var isShared: Bool {
        if case .postgres = self { return true }
        return false
    }
}
