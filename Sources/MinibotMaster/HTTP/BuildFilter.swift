import MinibotCore
import MinibotStore

/// Which builds a `GET /api/v2/builds` (or `builders/NAME/builds`) asks for: the query
/// checked once (a bad value is a ``BadQuery``), answered by the store in SQL
/// (``BuildQuery``), so `complete=false` finds every running build however long the history.
struct BuildFilter: Sendable, Equatable {
    static let limits = 1...10_000
    /// The deepest page an offset reaches (a page past it costs the rows it skips).
    static let maxOffset = 10_000

    var builder: String?
    var complete: Bool?
    var results: Set<BuildResult>?
    /// Keyset paging: builds below this id (the last `buildid` of the page before).
    var before: Int64?
    var limit = 100
    var offset = 0

    init(builder: String? = nil, complete: Bool? = nil, results: Set<BuildResult>? = nil, limit: Int = 100, offset: Int = 0) {
        self.builder = builder
        self.complete = complete
        self.results = results
        self.limit = limit
        self.offset = offset
    }

    /// Reads `builder`, `complete`, `results`, `before`, `limit` and `offset`.
    init(query: APIQuery, builder: String? = nil) throws(BadQuery) {
        self.builder = builder ?? query.string("builder")
        complete = try query.bool("complete")
        results = try query.results("results")
        if query.string("before") != nil { before = Int64(try query.integer("before", in: 1...Int.max, default: 1)) }
        limit = try query.integer("limit", in: Self.limits, default: 100)
        offset = try query.integer("offset", in: 0...Self.maxOffset, default: 0)
    }

    /// What the store is asked.
    var query: BuildQuery {
        BuildQuery(builder: builder, complete: complete, results: results, before: before, offset: offset, limit: limit)
    }
}
