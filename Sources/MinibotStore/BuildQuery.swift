import MinibotCore

/// Which builds a list asks a ``Store`` for (`GET /api/v2/builds`, a builder's builds, the
/// pages): filtered in the database, newest first (by id: a builder's numbers grow with
/// it), one page after `offset`, or before the id `before` (keyset paging: the next page
/// starts below the last id of this one, at the same cost however deep). Each store reads
/// it through an index: running builds from the small set of open ones, one builder's
/// through (builder, id), so a page costs its length however long the history is. A `results`
/// filter walks the newest builds until the page is full: cheap for the results most builds
/// have, longer for one few have (there is no index per result).
public struct BuildQuery: Sendable, Equatable {
    public var builder: String?
    /// True: ended builds only; false: running ones only.
    public var complete: Bool?
    /// Only builds that ended with one of these (an empty set keeps none).
    public var results: Set<BuildResult>?
    /// Only builds with a smaller id (the last id of the page before).
    public var before: Int64?
    public var offset: Int
    public var limit: Int

    public init(builder: String? = nil, complete: Bool? = nil, results: Set<BuildResult>? = nil,
                before: Int64? = nil, offset: Int = 0, limit: Int) {
        self.builder = builder
        self.complete = complete
        self.results = results
        self.before = before
        self.offset = max(0, offset)
        self.limit = max(0, limit)
    }

    /// The `results` codes, ascending, for an `IN (…)` list (the enum's own numbers, never
    /// client text).
    public var resultCodes: [Int]? { results.map { $0.map(\.rawValue).sorted() } }
}
