import MinibotCore
import MinibotPostgres
import MinibotStore
import MinibotTesting
import Testing

/// ``StoreConformance`` against ``PostgresStore`` on a real server: each case gets a fresh
/// database, and every store the case opens is a new `PostgresStore` (its own pool) on it:
/// a second master, or the same master after a restart.
@Suite(postgresAvailable, .postgresServer)
struct PostgresStoreConformanceTests {
    /// One test case per conformance case, so a new case cannot be forgotten here.
    @Test(arguments: StoreConformance.cases.map(\.name))
    func conformance(_ name: String) async throws {
        let run = try #require(StoreConformance.cases.first { $0.name == name }).run
        let server = try PostgresServer.require()
        let database = try await server.createDatabase()
        let address = PostgresAddress(host: server.host, port: server.port, user: server.user, database: database)
        try await run {
            try await PostgresStore.connect(PostgresStore.Configuration(address: address, maximumConnections: 4))
        }
    }
}
