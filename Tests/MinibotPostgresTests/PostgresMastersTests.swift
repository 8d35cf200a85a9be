import Foundation
import MinibotCore
import MinibotPostgres
import MinibotStore
import MinibotTesting
import Testing

/// The `masters` table: leases on the database clock, and the reaper that releases a dead
/// master's claims. Time passes on the database only: a test moves a lease into the past with
/// SQL (as the server's clock would), and nothing sleeps.
@Suite(postgresAvailable, .postgresServer)
struct PostgresMastersTests {
    @Test func aRegistrationHoldsALeaseFromTheDatabaseClockAndEachRunIsANewGeneration() async throws {
        let server = try PostgresServer.require()
        let store = try await PostgresStoreTests.open(server, try await server.createDatabase())
        let first = try await store.registerMaster(name: "A", configHash: "h1", lease: 15)
        #expect(first.generation == 1)
        #expect(try await store.heartbeat(first, lease: 15))
        let record = try #require(try await store.masters().first)
        #expect(record.name == "A" && record.isActive && record.configHash == "h1")
        // Both times are the server's (microseconds): their difference is the lease, to rounding.
        #expect(abs(record.leaseExpiresAt.timeIntervalSince(record.heartbeatAt) - 15) < 0.001)

        let second = try await store.registerMaster(name: "A", configHash: "h2", lease: 15)
        #expect(second.generation == 2)
        // The earlier run's heartbeat no longer holds the row.
        #expect(try await !store.heartbeat(first, lease: 15))
        #expect(try await store.heartbeat(second, lease: 15))
    }

    /// Master A claims a request and dies (its lease passes on the database clock); master B's
    /// reaper declares A dead and releases A's claim by A's name: the build ends RETRY, the
    /// request is pending again, B builds it. A, back late, finds its heartbeat refused, none
    /// of its writes lands, and it claims nothing until it registers again.
    @Test func anotherMastersReaperReleasesADeadMastersClaims() async throws {
        let server = try PostgresServer.require()
        let database = try await server.createDatabase()
        let a = try await PostgresStoreTests.open(server, database)
        let b = try await PostgresStoreTests.open(server, database)
        let leaseA = try await a.registerMaster(name: "A", configHash: nil, lease: 15)
        let leaseB = try await b.registerMaster(name: "B", configHash: nil, lease: 15)
        let stamp = SourceStamp(repository: "/r", branch: "main", revision: "abc", project: "p")
        let buildset = Buildset(reason: "force", schedulerName: "force", sourceStamp: stamp,
                                submittedAt: Date(timeIntervalSince1970: 1_700_000_000))
        let request = try await a.addBuildset(buildset, builders: ["test"], priority: 0).1[0]
        let lost = try #require(try await a.startBuild(requestID: request.id, master: "A", worker: "w1",
                                                       at: Date(), properties: [:]))
        #expect(try await b.reapExpiredMasters().isEmpty, "no lease has expired yet")

        try await server.sql("UPDATE masters SET lease_expires_at = now() - interval '1 second' WHERE name = 'A'",
                             database: database)
        #expect(try await b.reapExpiredMasters() == ["A"])
        #expect(try await b.build(id: lost.id)?.results == .retry)
        let pending = try await b.pendingRequests()
        #expect(pending.map(\.id) == [request.id])
        #expect(pending.first?.submittedAt == request.submittedAt, "the request keeps its place")
        #expect(try await b.heartbeat(leaseB, lease: 15))

        // A comes back: fenced everywhere.
        #expect(try await !a.heartbeat(leaseA, lease: 15))
        let error = await #expect(throws: StoreError.self) {
            try await a.startStep(BuildStep(buildID: lost.id, number: 0, name: "late"))
        }
        #expect(error?.isClaimLost == true)
        #expect(try await !a.finishBuild(id: lost.id, results: .success, stateString: "late", at: Date(),
                                         properties: [:]))

        let rebuilt = try #require(try await b.startBuild(requestID: request.id, master: "B", worker: "w2",
                                                          at: Date(), properties: [:]))
        #expect(rebuilt.number == 2)
        #expect(try await b.finishBuild(id: rebuilt.id, results: .success, stateString: "done", at: Date(),
                                        properties: [:]))
        #expect(try await a.request(id: request.id)?.results == .success)
        let masters = try await a.masters()
        #expect(masters.map(\.name) == ["A", "B"] && masters.map(\.isActive) == [false, true])

        // Declared dead, A claims nothing until it registers again, as a new generation.
        let next = try await a.addBuildset(buildset, builders: ["test"], priority: 0).1[0]
        #expect(try await a.startBuild(requestID: next.id, master: "A", worker: "w1", at: Date(),
                                       properties: [:]) == nil)
        #expect(try await a.registerMaster(name: "A", configHash: nil, lease: 15).generation == 2)
        #expect(try await a.startBuild(requestID: next.id, master: "A", worker: "w1", at: Date(),
                                       properties: [:]) != nil)
    }

    /// Schedulers and pollers run on one master: the first to ask holds a job, a renewal keeps
    /// it, another master gets it only once it expired or its master was reaped, and a name
    /// no longer asked for is given up.
    @Test func aJobIsHeldByOneMasterAndMovesWhenItsLeasePasses() async throws {
        let server = try PostgresServer.require()
        let database = try await server.createDatabase()
        let a = try await PostgresStoreTests.open(server, database)
        let b = try await PostgresStoreTests.open(server, database)
        let jobs = ["poller:repo", "scheduler:s"]
        #expect(try await a.holdJobs(jobs, master: "A", lease: 15) == Set(jobs))
        #expect(try await b.holdJobs(jobs, master: "B", lease: 15) == [])
        #expect(try await a.holdJobs(jobs, master: "A", lease: 15) == Set(jobs), "a renewal keeps them")
        #expect(try await a.holdJobs(["poller:repo"], master: "A", lease: 15) == ["poller:repo"])
        #expect(try await b.holdJobs(jobs, master: "B", lease: 15) == ["scheduler:s"], "given up, so free")

        try await server.sql("UPDATE jobs SET expires_at = now() - interval '1 second' WHERE master = 'A'",
                             database: database)
        #expect(try await b.holdJobs(jobs, master: "B", lease: 15) == Set(jobs))
        #expect(try await a.holdJobs(jobs, master: "A", lease: 15) == [])
        #expect(try await b.holdJobs([], master: "B", lease: 15) == [])
        #expect(try await a.holdJobs(jobs, master: "A", lease: 15) == Set(jobs))
    }
}
