/// What a store can say about itself for `GET /metrics`; nil where it cannot tell.
public struct StoreStatistics: Sendable, Equatable {
    /// The database's size on disk (SQLite: the file and its write-ahead log).
    public var databaseBytes: Int64?
    /// SQL statements run since the store opened (every connection of this process).
    public var statements: Int64?

    public init(databaseBytes: Int64? = nil, statements: Int64? = nil) {
        self.databaseBytes = databaseBytes
        self.statements = statements
    }
}
