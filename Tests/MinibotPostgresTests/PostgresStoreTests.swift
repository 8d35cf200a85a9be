import Foundation
import MinibotCore
import MinibotPostgres
import MinibotStore
import MinibotTesting
import Testing

/// What only the PostgreSQL store has: its schema versions, and two masters racing on one
/// database.
@Suite(postgresAvailable, .postgresServer)
struct PostgresStoreTests {
    static func open(_ server: PostgresFixture, _ database: String) async throws -> PostgresStore {
        let address = PostgresAddress(host: server.host, port: server.port, user: server.user, database: database)
        return try await PostgresStore.connect(PostgresStore.Configuration(address: address, maximumConnections: 4))
    }

    @Test func theSchemaIsMigratedOnceAndItsVersionRecorded() async throws {
        let server = try PostgresServer.require()
        let database = try await server.createDatabase()
        _ = try await Self.open(server, database)
        _ = try await Self.open(server, database)
        let versions = try await server.sql("SELECT version FROM minibot_schema ORDER BY version", database: database)
        // Every version once, in order, up to this Minibot's (5: request indexes).
        let list = versions.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        #expect(list.count >= 3 && list == Array(1...list.count), "\(versions)")
    }

    /// Issue 15: `/metrics` shows the database's size.
    @Test func itsSizeIsReported() async throws {
        let server = try PostgresServer.require()
        let store = try await Self.open(server, try await server.createDatabase())
        let bytes = try #require(await store.statistics().databaseBytes)
        #expect(bytes > 1_000_000, "a PostgreSQL database with its catalog is several MB, not \(bytes) bytes")
    }

    @Test func aDatabaseFromANewerMinibotIsRefused() async throws {
        let server = try PostgresServer.require()
        let database = try await server.createDatabase()
        _ = try await Self.open(server, database)
        try await server.sql("INSERT INTO minibot_schema (version, description) VALUES (999, 'future')",
                             database: database)
        let error = await #expect(throws: StoreError.self) { _ = try await Self.open(server, database) }
        #expect(error?.message.contains("newer version of Minibot") == true)
    }

    @Test func aRefusedConnectionSaysWhatToCheck() async throws {
        let server = try PostgresServer.require()
        // The fixture's port with no such database: the login is refused.
        let error = await #expect(throws: StoreError.self) { _ = try await Self.open(server, "no_such_database") }
        #expect(error?.message.contains("cannot connect to postgresql://minibot@127.0.0.1:\(server.port)/no_such_database")
                == true)
    }

    /// Two masters (two stores, two names) serve 20 requests of one builder at once, each
    /// claiming whatever is pending: every request is built exactly once, and the builder's
    /// numbers are 1…20 with none handed out twice.
    @Test func twoMastersBuildEachRequestOnce() async throws {
        let server = try PostgresServer.require()
        let database = try await server.createDatabase()
        let a = try await Self.open(server, database)
        let b = try await Self.open(server, database)
        let stamp = SourceStamp(repository: "/r", branch: "main", revision: "abc", project: "p")
        var requests: [BuildRequest] = []
        for i in 0..<20 {
            let buildset = Buildset(reason: "force", schedulerName: "force", sourceStamp: stamp,
                                    submittedAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(i)))
            requests += try await a.addBuildset(buildset, builders: ["test"], priority: 0).1
        }
        let won = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for (store, master) in [(a, "A"), (b, "B")] {
                group.addTask {
                    var mine: [Int64] = []
                    while true {
                        let pending = try await store.pendingRequests()
                        if pending.isEmpty { return mine }
                        for request in pending {
                            guard let build = try await store.startBuild(
                                requestID: request.id, master: master, worker: "w-\(master)", at: Date(),
                                properties: [:]) else { continue }
                            mine.append(request.id)
                            try await store.startStep(BuildStep(buildID: build.id, number: 0, name: "true"))
                            #expect(try await store.finishBuild(id: build.id, results: .success, stateString: "done",
                                                                at: Date(), properties: [:]))
                        }
                    }
                }
            }
            var all: [Int64] = []
            for try await mine in group { all += mine }
            return all
        }
        #expect(won.sorted() == requests.map(\.id))
        for request in requests {
            let builds = try await a.builds(requestID: request.id)
            #expect(builds.count == 1, "request \(request.id) has \(builds.count) builds")
            #expect(try await b.request(id: request.id)?.results == .success)
        }
        #expect(try await a.builds(builder: "test", limit: 100).map(\.number).sorted() == Array(1...20))
    }
}
