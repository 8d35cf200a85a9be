import MinibotCore

/// Which builds a list asks a ``Store`` for (`GET /api/v2/builds`, a builder's builds, the
/// pages): filtered in the database, newest first, one page after `offset`. Each store
/// reads it through an index: running builds from the small set of open ones, one builder's
/// by its numbers, so a page costs its length however long the history is. A `results`
/// filter walks the newest builds until the page is full: cheap for the results most builds
/// have, longer for one few have (there is no index per result).
public struct BuildQuery: Sendable, Equatable {
    public var builder: String?
    /// True: ended builds only; false: running ones only.
    public var complete: Bool?
    /// Only builds that ended with one of these (an empty set keeps none).
    public var results: Set<BuildResult>?
    public var offset: Int
    public var limit: Int

    public init(builder: String? = nil, complete: Bool? = nil, results: Set<BuildResult>? = nil,
                offset: Int = 0, limit: Int) {
        self.builder = builder
        self.complete = complete
        self.results = results
        self.offset = max(0, offset)
        self.limit = max(0, limit)
    }

    /// The `results` codes, ascending, for an `IN (…)` list (the enum's own numbers, never
    /// client text).
    public var resultCodes: [Int]? { results.map { $0.map(\.rawValue).sorted() } }
}
