import MinibotCore

/// Which builds a `GET /api/v2/builds` (or `builders/NAME/builds`) asks for: the query
/// checked once (a bad value is a ``BadQuery``), then applied to the newest builds as a
/// pure function.
struct BuildFilter: Sendable, Equatable {
    /// How many builds a filter looks through at most (newest first): filtering happens
    /// over this window, not in SQL, so `complete=false` on a huge history stays bounded.
    static let window = 10_000
    static let limits = 1...10_000

    var builder: String?
    var complete: Bool?
    var results: Set<BuildResult>?
    var limit = 100
    var offset = 0

    init(builder: String? = nil, complete: Bool? = nil, results: Set<BuildResult>? = nil, limit: Int = 100, offset: Int = 0) {
        self.builder = builder
        self.complete = complete
        self.results = results
        self.limit = limit
        self.offset = offset
    }

    /// Reads `builder`, `complete`, `results`, `limit` and `offset`.
    init(query: APIQuery, builder: String? = nil) throws(BadQuery) {
        self.builder = builder ?? query.string("builder")
        complete = try query.bool("complete")
        results = try query.results("results")
        limit = try query.integer("limit", in: Self.limits, default: 100)
        offset = try query.integer("offset", in: 0...Self.window, default: 0)
    }

    /// Whether it keeps only some builds, so the store must be asked for the whole window.
    var isFiltering: Bool { complete != nil || results != nil }

    /// How many of the newest builds to ask the store for.
    var fetchCount: Int { isFiltering ? Self.window : min(offset + limit, Self.window) }

    /// The page of `newest` (newest first) this filter answers.
    func apply(_ newest: [Build]) -> [Build] {
        let kept = newest.filter { b in
            if let complete, b.isComplete != complete { return false }
            if let results {
                guard let r = b.results, results.contains(r) else { return false }
            }
            return true
        }
        return Array(kept.dropFirst(offset).prefix(limit))
    }
}
