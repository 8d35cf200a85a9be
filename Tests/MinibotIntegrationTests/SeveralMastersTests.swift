import Foundation
import MinibotCore
import MinibotTesting
import Testing

/// Issue 14: two real masters on one throw-away PostgreSQL server (`db: postgresql://…`),
/// each with its own worker, share one builder's requests and build numbers.
@Suite("Several masters on one PostgreSQL", .serialized,
       .enabled(if: PostgresFixture.skipReason == nil, Comment(rawValue: PostgresFixture.skipReason ?? "")))
struct SeveralMastersTests {
    @Test("20 forced requests over two masters: each built exactly once, build numbers unique across masters")
    func twoMastersBuildEachRequestOnce() async throws {
        let server = try await SharedPostgres.shared.acquire()
        do {
            try await run(server)
        } catch {
            print("---- PostgreSQL log:\n" + ((try? String(contentsOf: server.directory.appending("server.log"),
                                                           encoding: .utf8)) ?? "").suffix(3000))
            await SharedPostgres.shared.release()
            throw error
        }
        await SharedPostgres.shared.release()
    }

    /// Master A dies (`kill -9`) while it runs a build: its lease passes on the database clock,
    /// master B's reaper declares A dead and releases A's claim by A's name, and B builds the
    /// request on its own worker. The lost build is recorded RETRY, the rebuild SUCCESS.
    @Test("kill -9 of the master running a build: another master's reaper re-queues it and builds it")
    func aKilledMastersBuildIsRebuiltByAnother() async throws {
        let server = try await SharedPostgres.shared.acquire()
        do {
            try await failover(server)
        } catch {
            await SharedPostgres.shared.release()
            throw error
        }
        await SharedPostgres.shared.release()
    }

    private func failover(_ server: PostgresFixture) async throws {
        let database = try await server.createDatabase("failover")
        try await Scene.run("failover") { scene in
            let gate = scene.path("gate")
            let config = masterConfig(workers: ["wa", "wb"], builders: """
                  - name: b
                    workers: [wa, wb]
                    steps:
                      - shell: {name: wait, command: "\(waitForFileCommand(gate))"}
                """, builderNames: ["b"], extra: "db: \(server.url(database: database))")
            let a = try await MasterFixture.start(config: config, in: scene.dir.appending("master-a"))
            _ = scene.track(a.process)
            let aEvents = try await a.events()
            _ = scene.track(try WorkerFixture.start(name: "wa", password: "pw", master: a.url, directory: scene.dir.url))
            try await aEvents.workerAttached("wa")
            let request = try await a.force("b")
            _ = try await aEvents.buildStarted(request: request)

            let b = try await MasterFixture.start(config: config, in: scene.dir.appending("master-b"))
            _ = scene.track(b.process)
            let bEvents = try await b.events()
            _ = scene.track(try WorkerFixture.start(name: "wb", password: "pw", master: b.url, directory: scene.dir.url))
            try await bEvents.workerAttached("wb")

            await a.process.crash()
            touch(gate)
            let finished = try await bEvents.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            let builds = try await server.sql(
                "SELECT results || ' ' || state_string FROM builds WHERE buildrequest_id = \(request) ORDER BY id",
                database: database)
            #expect(builds.split(separator: "\n").map(String.init)
                    == ["\(BuildResult.retry.rawValue) master lost (its lease passed)", "\(BuildResult.success.rawValue) build successful"],
                    "\(builds)")
            let masters = try await server.sql("SELECT name || ' ' || active FROM masters ORDER BY name",
                                               database: database)
            #expect(masters.split(separator: "\n").map(String.init).map { $0.hasSuffix(" false") } == [true, false], "\(masters)")
        }
    }

    private func run(_ server: PostgresFixture) async throws {
        let database = try await server.createDatabase("several")
        try await Scene.run("several-masters") { scene in
            // One shared configuration, as the issue asks: both masters define both workers.
            let config = masterConfig(workers: ["wa", "wb"], builders: """
                  - name: b
                    workers: [wa, wb]
                    steps:
                      - shell: {name: ok, command: "true"}
                """, builderNames: ["b"], extra: "db: \(server.url(database: database))")
            let a = try await MasterFixture.start(config: config, in: scene.dir.appending("master-a"))
            _ = scene.track(a.process)
            let b = try await MasterFixture.start(config: config, in: scene.dir.appending("master-b"))
            _ = scene.track(b.process)
            let aEvents = try await a.events()
            let bEvents = try await b.events()
            for (name, master, events) in [("wa", a, aEvents), ("wb", b, bEvents)] {
                _ = scene.track(try WorkerFixture.start(name: name, password: "pw", master: master.url,
                                                        directory: scene.dir.url))
                try await events.workerAttached(name)
            }

            var forced: [(Int64, EventFollower)] = []
            for i in 0..<20 {
                let (master, events) = i.isMultiple(of: 2) ? (a, aEvents) : (b, bEvents)
                forced.append((try await master.force("b"), events))
            }
            for (request, events) in forced {
                let finished = try await events.buildFinished(request: request)
                #expect(finished["results_name"]?.stringValue == "SUCCESS", "request \(request): \(finished)")
            }

            // Straight from the database: one build per request, numbers 1…20 once each,
            // and both masters built some.
            let perRequest = try await server.sql(
                "SELECT count(*) FROM (SELECT buildrequest_id FROM builds GROUP BY 1 HAVING count(*) <> 1) t",
                database: database)
            #expect(perRequest.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            let numbers = try await server.sql("SELECT number FROM builds WHERE builder = 'b' ORDER BY number",
                                               database: database)
            #expect(numbers.split(separator: "\n").compactMap { Int($0) } == Array(1...20))
            let masters = try await server.sql("SELECT count(DISTINCT master) FROM builds", database: database)
            #expect(masters.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
            let pending = try await server.sql("SELECT count(*) FROM buildrequests WHERE NOT complete",
                                               database: database)
            #expect(pending.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        }
    }
}
