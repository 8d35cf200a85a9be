import MinibotTesting
import Testing

/// A throw-away PostgreSQL server for a whole suite (`SharedPostgres`: one for all the suites
/// that run at the same time), reached by the suite's tests through ``current``.
struct PostgresServer: SuiteTrait, TestScoping {
    /// The server of the suite running now (nil outside a suite with this trait).
    @TaskLocal static var current: PostgresFixture?

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        // Shared with the other PostgreSQL suites running now (each case has its own database).
        let server = try await SharedPostgres.shared.acquire()
        do {
            try await Self.$current.withValue(server) { try await function() }
        } catch {
            await SharedPostgres.shared.release()
            throw error
        }
        await SharedPostgres.shared.release()
    }

    /// The suite's server; fails the test when it runs outside the trait.
    static func require() throws -> PostgresFixture {
        try #require(current, "this test needs the .postgresServer trait on its suite")
    }
}

extension Trait where Self == PostgresServer {
    /// Runs the suite against a throw-away PostgreSQL server (see `PostgresFixture`).
    static var postgresServer: Self { PostgresServer() }
}

/// Skips PostgreSQL suites only where PostgreSQL is not installed and not required (see
/// `PostgresFixture.skipReason`); CI fails instead.
let postgresAvailable = ConditionTrait.enabled(if: PostgresFixture.skipReason == nil,
                                               Comment(rawValue: PostgresFixture.skipReason ?? ""))
