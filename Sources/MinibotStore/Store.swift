import Foundation
import MinibotCore

/// The master's persistence: everything a restart must not lose.
///
/// Called by the master's actors from any task; implementations are safe for concurrent
/// use. Every claim is one atomic statement (`UPDATE … WHERE claimed_by IS NULL`), never a
/// read followed by a write in the master's memory, so two masters sharing one database
/// cannot both claim a request. Errors are ``StoreError``s.
///
/// Claims are fenced: a claim (``startBuild(requestID:master:worker:at:properties:)``) makes
/// a build, and the build's id names that claim from then on. Every later write for the
/// build (``startStep(_:)``, ``finishStep(buildID:number:results:stateString:at:)``,
/// ``appendLog(buildID:step:_:)``, ``finishBuild(id:results:stateString:at:properties:)``)
/// lands only while the build runs and its request still holds that claim; otherwise it
/// changes nothing and reports the claim lost (``StoreError/isClaimLost``, or `false` from
/// `finishBuild`), and the master stops the build. A store shared by several masters (PostgreSQL)
/// records the claimer and a fencing token on both rows and checks both in the write.
///
/// The executable opens the implementation (`MinibotSQLite`'s `SQLiteStore` by default) and
/// hands it to the master through `Master.StoreFactory`; the master names no implementation.
/// Every implementation passes `StoreConformance` (in `MinibotTesting`).
public protocol Store: Sendable {
    // MARK: changes
    /// Records a change and returns it with its id.
    func addChange(_ change: Change) async throws -> Change
    /// Newest first.
    func changes(limit: Int) async throws -> [Change]
    func change(id: Int64) async throws -> Change?

    // MARK: change-source state
    /// The branch heads a poller recorded last, or nil if it never polled.
    func pollerHeads(_ poller: String) async throws -> [String: String]?
    func setPollerHeads(_ poller: String, _ heads: [String: String]) async throws

    // MARK: buildsets and requests
    /// Records a buildset with one request per builder, in one transaction.
    func addBuildset(_ buildset: Buildset, builders: [String], priority: Int) async throws -> (Buildset, [BuildRequest])
    func buildset(id: Int64) async throws -> Buildset?
    /// Unclaimed, incomplete requests in serving order: higher priority first, then earlier
    /// submitted, then lower id (``DistributorPolicy/servesBefore(_:_:)``). A request a
    /// RETRY made pending again keeps its place; a restarted master loads its queue from here.
    func pendingRequests() async throws -> [BuildRequest]
    /// Requests filtered by claim and completion (nil: either), newest first.
    func requests(claimed: Bool?, complete: Bool?, limit: Int) async throws -> [BuildRequest]
    func request(id: Int64) async throws -> BuildRequest?
    /// The requests of one buildset, in submission order (a buildset is complete when all are).
    func requests(buildsetID: Int64) async throws -> [BuildRequest]
    /// Completes pending requests without a build (collapsed or cancelled): results set,
    /// claim released. Returns the ids it completed (those still pending).
    func completeRequests(_ ids: [Int64], results: BuildResult, at: Date) async throws -> [Int64]
    /// Raises a pending request's priority to `priority` (a collapsed group's highest, see
    /// `RequestCollapser`). Never lowers it and leaves claimed or complete requests alone.
    /// Returns whether it changed the request.
    func raisePriority(requestID: Int64, to priority: Int) async throws -> Bool

    // MARK: builds
    /// Atomically claims the request for `master` and records a new running build with
    /// the next number for its builder. Returns nil, changing nothing, when the request is
    /// no longer pending.
    func startBuild(requestID: Int64, master: String, worker: String, at: Date,
                    properties: [String: String]) async throws -> Build?
    /// Ends a running build; `properties` are merged into the build's. RETRY releases its
    /// request's claim (pending again, same submitted time and priority); any other result
    /// completes the request with that result. Finishing a build that already finished
    /// changes nothing (so a late duplicate cannot release a newer claim). Returns whether it
    /// ended the build: false when the build had already ended or no longer holds its claim.
    @discardableResult
    func finishBuild(id: Int64, results: BuildResult, stateString: String, at: Date,
                     properties: [String: String]) async throws -> Bool
    func build(id: Int64) async throws -> Build?
    func build(builder: String, number: Int) async throws -> Build?
    /// The page of builds `query` asks for, newest first (see ``BuildQuery``).
    func builds(_ query: BuildQuery) async throws -> [Build]
    /// Every build run for a request (several when earlier ones ended in RETRY), oldest first.
    func builds(requestID: Int64) async throws -> [Build]
    /// Builds recorded as running claimed by `master` (after a crash: those it lost).
    func runningBuilds(master: String) async throws -> [Build]
    /// Counts builds started on each worker since `since` (for ranking).
    func buildCounts(since: Date) async throws -> [String: Int]

    // MARK: steps and logs
    /// Records a step's start (again: harmless). Throws ``StoreError/claimLost(buildID:_:)``
    /// when the build no longer holds its claim.
    func startStep(_ step: BuildStep) async throws
    /// Records a step's end; fenced like ``startStep(_:)``.
    func finishStep(buildID: Int64, number: Int, results: BuildResult, stateString: String, at: Date) async throws
    func steps(buildID: Int64) async throws -> [BuildStep]
    /// Appends chunks to a step's log, in one transaction, in order. Callers batch output
    /// into chunks (tens of KiB); compressed chunks are kept compressed. Fenced like
    /// ``startStep(_:)``: none of the chunks lands once the build's claim is lost.
    func appendLog(buildID: Int64, step: Int, _ chunks: [LogWrite]) async throws
    /// Reads a step's log chunk by chunk, in order, without loading it all.
    func readLog(buildID: Int64, step: Int, afterChunk: Int64, limit: Int) async throws -> [LogChunk]
    /// Deletes the logs of builds that ended before `cutoff` (the janitor), a few builds per
    /// transaction so the writer is never held long, and marks those builds.
    func pruneLogs(endedBefore cutoff: Date, at now: Date) async throws -> LogPruning
    /// Deletes old history a buildset at a time, a small batch per transaction: each buildset
    /// whose requests all completed before `cutoff`, with its requests, their builds, steps
    /// and logs. A buildset that holds a builder's newest build stays (build numbers are
    /// never given out again), as do changes. Returns how many builds went.
    func pruneBuilds(endedBefore cutoff: Date) async throws -> Int
    /// Gives space freed by deletions back to the file system, at most `pages` database
    /// pages in one transaction; returns how many went (0: nothing to give back, or a store
    /// whose server does it itself).
    func reclaimSpace(pages: Int) async throws -> Int
    /// When the janitor deleted a build's logs, or nil while they are kept.
    func logsPruned(buildID: Int64) async throws -> Date?

    // MARK: workers and plugins
    func workerState(_ worker: String) async throws -> WorkerStateRecord?
    func setWorkerState(_ state: WorkerStateRecord) async throws
    func pluginState(plugin: String, key: String) async throws -> JSONValue?
    /// All keys of a plugin (what it loads at start-up).
    func pluginStates(plugin: String) async throws -> [String: JSONValue]
    /// nil deletes the key.
    func setPluginState(plugin: String, key: String, value: JSONValue?) async throws

    // MARK: health
    /// Nil while the store is the one the master opened and can be used; otherwise why not
    /// (its file was deleted or replaced under the running master, its server is gone). The
    /// master asks every few seconds and starts no new build while this says something.
    func health() async -> String?

    /// The database's size and statement count, for `/metrics` (default: unknown).
    func statistics() async -> StoreStatistics
}

extension Store {
    /// The newest `limit` builds, of `builder` or (nil) of all builders.
    public func builds(builder: String?, limit: Int) async throws -> [Build] {
        try await builds(BuildQuery(builder: builder, limit: limit))
    }

    /// A server that reclaims space itself (PostgreSQL's autovacuum) has nothing to do here.
    public func reclaimSpace(pages: Int) async throws -> Int { 0 }

    /// A store that cannot tell is taken to be healthy.
    public func health() async -> String? { nil }
    public func statistics() async -> StoreStatistics { StoreStatistics() }

    /// Appends one chunk of text to a step's log.
    public func appendLog(buildID: Int64, step: Int, stream: LogStream, text: String) async throws {
        try await appendLog(buildID: buildID, step: step, [LogWrite(stream: stream, payload: .text(text))])
    }
}
