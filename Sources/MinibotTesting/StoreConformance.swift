import Foundation
import MinibotCore
import MinibotStore

/// The behaviour every ``Store`` must show, as one reusable suite.
///
/// Each case is a function that takes a factory, runs against the stores it opens and throws
/// a ``Failure`` naming the broken rule (it does not use a test framework, so any harness can
/// run it). A store's test target calls each case from its own test, with a factory for a
/// fresh database per case: a temp-file SQLite store today, a PostgreSQL schema later.
///
/// The factory, ``Make``, may be called several times by one case: every call must open the
/// *same* database (empty at the first call), the way a second master or a restarted master
/// would. A store that cannot be opened twice (in memory) may return the same instance.
/// Cases run their own store calls from several tasks at once where the rule is about races.
public enum StoreConformance {
    /// Opens a store on the case's database; see ``StoreConformance``.
    public typealias Make = @Sendable () async throws -> any Store

    /// Every case, by name, for harnesses that run them all.
    public static let cases: [(name: String, run: @Sendable (@escaping Make) async throws -> Void)] = [
        ("atomic claim", atomicClaim(make:)),
        ("claim lost", claimLost(make:)),
        ("complete only by the claimer", completeOnlyByClaimer(make:)),
        ("fenced writes", fencedWrites(make:)),
        ("restart recovery", restartRecovery(make:)),
        ("pending order", pendingOrder(make:)),
        ("pagination", pagination(make:)),
        ("compressed logs", compressedLogs(make:)),
        ("buildsets and changes", buildsetsAndChanges(make:)),
        ("pruning builds", pruningBuilds(make:)),
    ]

    /// A rule the store broke, with where the case checked it.
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var line: UInt

        public var description: String { "store conformance (StoreConformance line \(line)): \(message)" }
    }

    // MARK: fixtures

    /// A time that survives any store's round trip exactly (a binary fraction of a second).
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000.25)

    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    static let stamp = SourceStamp(repository: "/srv/git/demo.git", branch: "main", revision: "abc123",
                                   project: "demo")

    /// Records one buildset with a request per builder, submitted at `t0 + offset`.
    static func submit(_ store: any Store, _ builders: [String], offset: Double = 0,
                       priority: Int = 0) async throws -> [BuildRequest] {
        let buildset = Buildset(reason: "conformance", schedulerName: "force", sourceStamp: stamp,
                                submittedAt: at(offset))
        return try await store.addBuildset(buildset, builders: builders, priority: priority).1
    }

    /// Starts a build of `request` that must be granted.
    static func mustStart(_ store: any Store, _ request: BuildRequest, master: String = "m1",
                          worker: String = "w1", offset: Double = 100,
                          line: UInt = #line) async throws -> Build {
        guard let build = try await store.startBuild(requestID: request.id, master: master, worker: worker,
                                                     at: at(offset), properties: [:]) else {
            throw Failure(message: "request \(request.id) is pending but \(master) could not claim it", line: line)
        }
        return build
    }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String, line: UInt = #line) throws {
        if !condition { throw Failure(message: message(), line: line) }
    }

    /// `actual == expected`, or a failure that shows both.
    static func checkEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: String, line: UInt = #line) throws {
        if actual != expected { throw Failure(message: "\(what): got \(actual), expected \(expected)", line: line) }
    }
}
