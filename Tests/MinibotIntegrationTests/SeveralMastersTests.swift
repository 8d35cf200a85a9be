import AsyncHTTPClient
import Foundation
import MinibotCore
import MinibotTesting
import NIOCore
import Synchronization
import Testing

/// Issue 14: two real masters on one throw-away PostgreSQL server (`db: postgresql://…`),
/// each with its own worker, share one builder's requests and build numbers.
@Suite("Several masters on one PostgreSQL", .serialized,
       .enabled(if: PostgresFixture.skipReason == nil, Comment(rawValue: PostgresFixture.skipReason ?? "")))
struct SeveralMastersTests {
    /// One shared configuration on 2 and on 3 masters with 8 workers between them, and 1,000
    /// requests forced on the masters in turn: every request is built exactly once, whichever
    /// master holds the worker, and the build numbers are 1…1,000 once each.
    @Test("1,000 forced requests over several masters and 8 workers: each built exactly once, build numbers unique across masters",
          arguments: [2, 3])
    func severalMastersBuildEachRequestOnce(masters: Int) async throws {
        try await Self.withServer { try await run($0, masters: masters) }
    }

    /// Master A dies (`kill -9`) while it runs a build: its lease passes on the database clock,
    /// master B's reaper declares A dead and releases A's claim by A's name, and B builds the
    /// request on its own worker. The lost build is recorded RETRY, the rebuild SUCCESS.
    @Test("kill -9 of the master running a build: another master's reaper re-queues it and builds it")
    func aKilledMastersBuildIsRebuiltByAnother() async throws {
        try await Self.withServer { try await failover($0) }
    }

    /// Master A has no worker for builder b; master B has. A request forced on A is built by B
    /// as soon as it is committed (NOTIFY in A's transaction, B's LISTEN), not at B's next
    /// start or reap. The listening connection is then killed on the server: B connects again,
    /// rescans, and the next request forced on A is built by B too.
    @Test("a request recorded by one master wakes another at once, also after its LISTEN connection was killed")
    func anotherMastersRequestWakesThisOne() async throws {
        try await Self.withServer { try await wakeUps($0) }
    }

    /// Master A stops running (SIGSTOP) mid-build for longer than its lease: B reaps it and
    /// rebuilds the request. When A runs again its next heartbeat is refused: it stops its
    /// build at once (the step on its worker is interrupted), none of what that build writes
    /// afterwards lands (the step's end, its log, the build's end), and it registers again as a
    /// new generation that builds as before.
    @Test("SIGSTOP of a master past its lease, then SIGCONT: it finds itself fenced, its late writes do not land")
    func aStoppedMasterIsFencedWhenItRunsAgain() async throws {
        try await Self.withServer { try await fenced($0) }
    }

    private func fenced(_ server: PostgresFixture) async throws {
        let database = try await server.createDatabase("fenced")
        try await Scene.run("fenced") { scene in
            // On wa the step runs until it is stopped (or the gate opens); on wb it passes at
            // once. A heartbeat longer than the stop keeps wa's link to A: only A's own
            // fencing ends the step.
            let gate = scene.path("gate")
            let config = masterConfig(workers: ["wa", "wb"], builders: """
                  - name: b
                    workers: [wa, wb]
                    steps:
                      - shell: {name: work, command: "while [ %(prop:workername)s = wa ] && [ ! -e '\(gate)' ]; do sleep 0.02; done"}
                """, builderNames: ["b"], extra: "db: \(server.url(database: database))\nheartbeat: 1h")
            let (a, aEvents) = try await Self.site("a", worker: "wa", config: config, in: scene)
            let request = try await a.force("b")
            let started = try await aEvents.buildStarted(request: request)
            let lostBuild = try #require(started["buildid"]?.intValue)

            let (_, bEvents) = try await Self.site("b", worker: "wb", config: config, in: scene)

            a.process.signal(SIGSTOP)
            let rebuilt = try await bEvents.buildFinished(request: request)
            #expect(rebuilt["results_name"]?.stringValue == "SUCCESS", "\(rebuilt)")
            let reaped = try await server.sql("SELECT results || ' ' || state_string FROM builds WHERE id = \(lostBuild)",
                                              database: database)
            a.process.signal(SIGCONT)

            let fenced = try await aEvents.wait("master A to find itself fenced") { $0["type"]?.stringValue == "master_fenced" }
            #expect(fenced["previous"]?.intValue == 1 && fenced["generation"]?.intValue == 2, "\(fenced)")
            #expect(fenced["stopped"]?.intValue == 1, "\(fenced)")
            let ended = try await aEvents.buildFinished(request: request)
            #expect(ended["results_name"]?.stringValue == "RETRY", "\(ended)")

            // What the reaper wrote stands: A's step end, its log and its build end were refused.
            let after = try await server.sql("SELECT results || ' ' || state_string FROM builds WHERE id = \(lostBuild)",
                                             database: database)
            #expect(after == reaped && after.contains("master lost (its lease passed)"), "\(reaped) → \(after)")
            let finishedSteps = try await server.sql(
                "SELECT count(*) FROM steps WHERE build_id = \(lostBuild) AND complete_at IS NOT NULL", database: database)
            #expect(finishedSteps.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(finishedSteps)")
            let builds = try await server.sql("SELECT count(*) FROM builds WHERE buildrequest_id = \(request)",
                                              database: database)
            #expect(builds.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "\(builds)")
            let masters = try await server.sql("SELECT generation || ' ' || active FROM masters ORDER BY name",
                                               database: database)
            #expect(masters.split(separator: "\n").map(String.init) == ["2 true", "1 true"], "\(masters)")

            // The new generation builds as before (on either master).
            touch(gate)
            let next = try await a.force("b")
            let built = try await Self.buildFinished(next, on: [aEvents, bEvents])
            #expect(built["results_name"]?.stringValue == "SUCCESS", "\(built)")
        }
    }

    /// The PostgreSQL server restarts (fast: every connection is cut) while two masters build:
    /// they reconnect (the pool, the listener), and every request, forced before, during or
    /// after the restart, is built exactly once. A server of its own, not the shared one.
    @Test("PostgreSQL restarted under load: both masters reconnect, every request is built once")
    func aServerRestartLosesNothing() async throws {
        let server = try await PostgresFixture.start()
        do {
            try await restart(server)
        } catch {
            print("---- PostgreSQL log:\n" + ((try? String(contentsOf: server.directory.appending("server.log"),
                                                           encoding: .utf8)) ?? "").suffix(3000))
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private func restart(_ server: PostgresFixture) async throws {
        let database = try await server.createDatabase("restart")
        try await Scene.run("pg-restart") { scene in
            let config = masterConfig(workers: ["wa", "wb"], maxBuilds: 2, builders: """
                  - name: b
                    workers: [wa, wb]
                    steps:
                      - shell: {name: ok, command: "echo built"}
                """, builderNames: ["b"], extra: "db: \(server.url(database: database))")
            let (a, aEvents) = try await Self.site("a", worker: "wa", config: config, in: scene)
            let (b, bEvents) = try await Self.site("b", worker: "wb", config: config, in: scene)
            var forced: [Int64] = []
            for i in 0..<10 { forced.append(try await (i.isMultiple(of: 2) ? a : b).force("b")) }
            try await server.restart()
            // The server is back when `restart` returns: each master must answer again at once.
            for i in 0..<10 { forced.append(try await (i.isMultiple(of: 2) ? a : b).force("b")) }
            for request in forced {
                let finished: JSONValue
                do {
                    finished = try await Self.buildFinished(request, on: [aEvents, bEvents])
                } catch {
                    let rows = try await server.sql("""
                        SELECT r.id, r.claimed_by, r.complete, b.id, b.master, b.results, b.state_string
                        FROM buildrequests r LEFT JOIN builds b ON b.buildrequest_id = r.id WHERE r.id = \(request)
                        """, database: database)
                    Issue.record("request \(request) not built: \(rows)")
                    throw error
                }
                #expect(["SUCCESS", "RETRY"].contains(finished["results_name"]?.stringValue ?? ""),
                        "request \(request): \(finished)")
            }
            // Straight from the database: every request complete with one SUCCESS build, and
            // any other build of it a RETRY (cut off by the restart).
            let unbuilt = try await server.sql("""
                SELECT count(*) FROM buildrequests r WHERE NOT r.complete OR (SELECT count(*) FROM builds b
                    WHERE b.buildrequest_id = r.id AND b.results = \(BuildResult.success.rawValue)) <> 1
                """, database: database)
            let table = try await server.sql("SELECT id, buildrequest_id, master, results, state_string FROM builds ORDER BY id",
                                             database: database)
            #expect(unbuilt.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(unbuilt)\n\(table)")
            let others = try await server.sql("""
                SELECT count(*) FROM builds WHERE results IS DISTINCT FROM \(BuildResult.success.rawValue)
                  AND results IS DISTINCT FROM \(BuildResult.retry.rawValue)
                """, database: database)
            #expect(others.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(others)")
            let requests = try await server.sql("SELECT count(*) FROM buildrequests", database: database)
            #expect(requests.trimmingCharacters(in: .whitespacesAndNewlines) == "\(forced.count)")
        }
    }

    private func wakeUps(_ server: PostgresFixture) async throws {
        let database = try await server.createDatabase("wakeups")
        try await Scene.run("wake-ups") { scene in
            let config = masterConfig(workers: ["wb"], builders: """
                  - name: b
                    workers: [wb]
                    steps:
                      - shell: {name: ok, command: "true"}
                """, builderNames: ["b"], extra: "db: \(server.url(database: database))")
            let a = try await MasterFixture.start(config: config, in: scene.dir.appending("master-a"))
            _ = scene.track(a.process)
            // B's file differs from A's (its title): the masters list says so.
            let b = try await MasterFixture.start(config: config.replacingOccurrences(of: "title: itest", with: "title: other"),
                                                  in: scene.dir.appending("master-b"))
            _ = scene.track(b.process)
            let bEvents = try await b.events()
            _ = scene.track(try WorkerFixture.start(name: "wb", password: "pw", master: b.url, directory: scene.dir.url))
            try await bEvents.workerAttached("wb")

            let listed = try await a.client.get("api/v2/masters")
            let masters = listed["masters"]?.arrayValue ?? []
            #expect(masters.count == 2 && masters.allSatisfy { $0["active"]?.boolValue == true }, "\(listed)")
            #expect(masters.filter { $0["is_this"]?.boolValue == true }.count == 1, "\(listed)")
            #expect(Set(masters.compactMap { $0["config_hash"]?.stringValue }).count == 2, "\(listed)")
            #expect(listed["warning"]?.stringValue?.contains("different master.cfg") == true, "\(listed)")

            // Well inside the backstop rescan (WakeUpService.backstop, 120 s): only a
            // wake-up can start these builds in time.
            let first = try await a.force("b")
            let built = try await bEvents.buildFinished(request: first, timeout: 60)
            #expect(built["results_name"]?.stringValue == "SUCCESS", "\(built)")

            let killed = try await server.sql("""
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE datname = '\(database)' AND query ILIKE 'LISTEN%'
                """, database: database)
            #expect(killed.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "listeners killed: \(killed)")
            let second = try await a.force("b")
            let rebuilt = try await bEvents.buildFinished(request: second, timeout: 60)
            #expect(rebuilt["results_name"]?.stringValue == "SUCCESS", "\(rebuilt)")
        }
    }

    /// Master A has no worker, master B has: a request forced on A with `minibot force --wait`
    /// is built by B, and A shows it live all the same. A's events carry B's build (with B's
    /// name), A's page stream of the build carries B's log lines as the step prints them, the
    /// CLI on A ends with B's result, and A's metrics do not count B's build as its own.
    @Test("a build run by one master is shown live by another: its events, its page's log lines, force --wait")
    func anotherMastersBuildIsShownLive() async throws {
        try await Self.withServer { try await shownLive($0) }
    }

    private func shownLive(_ server: PostgresFixture) async throws {
        let database = try await server.createDatabase("live")
        try await Scene.run("shown-live") { scene in
            let gate = scene.path("gate")
            let config = masterConfig(workers: ["wb"], builders: """
                  - name: b
                    workers: [wb]
                    steps:
                      - shell: {name: talk, command: "echo first-line; \(waitForFileCommand(gate)); echo '<second-line>'"}
                """, builderNames: ["b"], extra: "db: \(server.url(database: database))")
            let a = try await MasterFixture.start(config: config, in: scene.dir.appending("master-a"))
            _ = scene.track(a.process)
            let aEvents = try await a.events()
            let (b, bEvents) = try await Self.site("b", worker: "wb", config: config, in: scene)
            let bName = try #require(try await b.client.get("api/v2/masters")["masters"]?.arrayValue
                .first { $0["is_this"]?.boolValue == true }?["name"]?.stringValue)

            let forcing = Task { try await scene.cli(["force", "b", "--wait", "--master", a.url, "--token", a.token]) }
            let started = try await aEvents.wait("B's build to start, on A") {
                $0["type"]?.stringValue == "build_started" && $0["master"] != nil
            }
            #expect(started["master"]?.stringValue == bName, "\(started)")
            let request = try #require(started["buildrequestid"]?.intValue)
            let local = try await bEvents.buildStarted(request: Int64(request))
            #expect(local["buildid"] == started["buildid"] && local["master"] == nil, "\(local)")

            var stream = HTTPClientRequest(url: "\(a.url)/events?build=\(MasterFixture.buildID(started))")
            stream.headers.add(name: "Accept", value: "text/event-stream")
            let response = try await HTTPClient.shared.execute(stream, timeout: .seconds(120))
            #expect(response.status.code == 200)
            var text = ""
            for try await buffer in response.body {
                text += String(buffer: buffer)
                // The first line is on A's page while the step still runs on B's worker.
                if text.contains("first-line") && !FileManager.default.fileExists(atPath: gate) { touch(gate) }
                if text.contains("\"build_finished\"") { break }
            }
            let frames = text.components(separatedBy: "\n\n")
            #expect(frames.contains { $0.contains("event: log") && $0.contains("first-line") }, "\(text)")
            #expect(frames.contains { $0.contains("event: log") && $0.contains("&lt;second-line&gt;") }, "\(text)")
            // (The JSON escapes the name's slashes.)
            #expect(frames.contains { $0.contains("event: build") && $0.contains("\"master\":\"") }, "\(text)")

            let forced = try await forcing.value
            #expect(forced.status == 0, "\(forced.text)\n\(forced.stderr)")
            #expect(forced.text.contains("talk: SUCCESS") && forced.text.contains("result: SUCCESS"), "\(forced.text)")

            let metrics = try await a.client.getText("metrics")
            #expect(!metrics.contains("minibot_builds_finished_total{"), "A counted B's build:\n\(metrics)")
            #expect(try await b.client.getText("metrics").contains("minibot_builds_finished_total{"))
        }
    }

    /// One shared configuration with a git poller and a single-branch scheduler on two
    /// masters: each job runs on one master only (the first to hold it), so a pushed commit is
    /// one change and one buildset however many masters are asked to poll; a push hook that
    /// reaches the other master is passed on. When the holder dies its jobs move.
    @Test("a poller and a scheduler run on one master: one change, one buildset per commit; they move when it dies")
    func jobsRunOnOneMaster() async throws {
        try await Self.withServer { try await jobs($0) }
    }

    private func jobs(_ server: PostgresFixture) async throws {
        let database = try await server.createDatabase("jobs")
        try await Scene.run("jobs") { scene in
            let git = try scene.git()
            _ = try git.commit(["a.txt": "a\n"], message: "base")
            try git.push("main")
            let config = """
                title: jobs
                www: {port: 0, admin_token_file: admin.token}
                db: \(server.url(database: database))
                workers:
                  - {name: wa, password: pw}
                  - {name: wb, password: pw}
                change_sources:
                  - git_poller: {name: repo, repository: \(git.remotePath), branches: [main], poll_interval: 10m}
                schedulers:
                  - single_branch: {name: on-main, branch: main, builders: [b]}
                builders:
                  - name: b
                    workers: [wa, wb]
                    steps:
                      - shell: {name: ok, command: "true"}
                """
            let runsJobs: @Sendable (JSONValue) -> Bool = {
                $0["type"]?.stringValue == "jobs_changed"
                    && $0["jobs"] == .array([.string("poller:repo"), .string("scheduler:on-main")])
            }
            let a = try await MasterFixture.start(config: config, in: scene.dir.appending("master-a"))
            _ = scene.track(a.process)
            let aEvents = EventFollower.fromBeginning(client: a.client)
            _ = try await aEvents.wait("master A to take the jobs", where: runsJobs)
            let b = try await MasterFixture.start(config: config, in: scene.dir.appending("master-b"))
            _ = scene.track(b.process)
            let bEvents = EventFollower.fromBeginning(client: b.client)
            for (name, master, events) in [("wa", a, aEvents), ("wb", b, bEvents)] {
                _ = scene.track(try WorkerFixture.start(name: name, password: "pw", master: master.url,
                                                        directory: scene.dir.url))
                try await events.workerAttached(name)
            }
            let listed = try await b.client.get("api/v2/masters")["masters"]?.arrayValue ?? []
            let jobsOf = Dictionary(uniqueKeysWithValues: listed.map {
                ($0["is_this"]?.boolValue == true ? "b" : "a", $0["jobs"]?.arrayValue.compactMap(\.stringValue) ?? [])
            })
            #expect(jobsOf == ["a": ["poller:repo", "scheduler:on-main"], "b": []], "\(listed)")

            // The first poll records the heads; then a commit, with the push hook sent to both.
            _ = try await PollerTests.poll(a, "repo")
            let first = try git.commit(["a.txt": "b\n"], message: "one")
            try git.push("main")
            for master in [b, a] { _ = try await PollerTests.poll(master, "repo") }
            let built = try await EventFollower.first(on: [aEvents, bEvents], "the build of the commit") {
                $0["type"]?.stringValue == "build_finished"
            }
            #expect(built["results_name"]?.stringValue == "SUCCESS", "\(built)")
            #expect(try await server.sql("SELECT count(*) FROM changes WHERE revision = '\(first)'", database: database)
                        .trimmingCharacters(in: .whitespacesAndNewlines) == "1")
            #expect(try await server.sql("SELECT count(*) FROM buildsets WHERE scheduler = 'on-main'", database: database)
                        .trimmingCharacters(in: .whitespacesAndNewlines) == "1")

            // A dies: once it is reaped, B runs both jobs, and a commit hooked to B builds.
            await a.process.crash()
            _ = try await bEvents.wait("master B to take the jobs over", where: runsJobs)
            let second = try git.commit(["a.txt": "c\n"], message: "two")
            try git.push("main")
            _ = try await PollerTests.poll(b, "repo")
            let rebuilt = try await bEvents.wait("the build of the second commit") {
                $0["type"]?.stringValue == "build_finished" && $0["buildid"]?.intValue != built["buildid"]?.intValue
            }
            #expect(rebuilt["results_name"]?.stringValue == "SUCCESS", "\(rebuilt)")
            #expect(try await server.sql("SELECT count(*) FROM changes WHERE revision = '\(second)'", database: database)
                        .trimmingCharacters(in: .whitespacesAndNewlines) == "1")
            #expect(try await server.sql("SELECT count(*) FROM buildsets WHERE scheduler = 'on-main'", database: database)
                        .trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        }
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
            let (a, aEvents) = try await Self.site("a", worker: "wa", config: config, in: scene)
            let request = try await a.force("b")
            _ = try await aEvents.buildStarted(request: request)

            let (_, bEvents) = try await Self.site("b", worker: "wb", config: config, in: scene)

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

    private func run(_ server: PostgresFixture, masters count: Int) async throws {
        let requests = 1000
        let database = try await server.createDatabase("several")
        try await Scene.run("several-masters") { scene in
            let workers = (1...8).map { "w\($0)" }
            let config = masterConfig(workers: workers, builders: """
                  - name: b
                    collapse_requests: false
                    workers: [\(workers.joined(separator: ", "))]
                    steps:
                      - shell: {name: ok, command: "true"}
                """, builderNames: ["b"], extra: "db: \(server.url(database: database))")
            var masters: [MasterFixture] = [], followers: [EventFollower] = []
            for i in 0..<count {
                let master = try await MasterFixture.start(config: config, in: scene.dir.appending("master-\(i)"))
                _ = scene.track(master.process)
                masters.append(master)
                followers.append(try await master.events())
            }
            // Worker k connects to master k mod N: every master has some, and each defines all.
            for (k, name) in workers.enumerated() {
                _ = scene.track(try WorkerFixture.start(name: name, password: "pw", master: masters[k % count].url,
                                                        directory: scene.dir.url))
            }
            for (k, name) in workers.enumerated() { try await followers[k % count].workerAttached(name) }

            var submitted = Set<Int64>()
            for i in 0..<requests { submitted.insert(try await masters[i % count].force("b")) }
            let forced = submitted
            // Each master's event stream tells of its own builds: together they tell of all.
            let finished = Mutex(Set<Int64>())
            let failed = Mutex([String]())
            _ = try await EventFollower.first(on: followers, "all \(requests) builds to finish") { event in
                guard event["type"]?.stringValue == "build_finished", let id = event["buildrequestid"]?.intValue else {
                    return false
                }
                if event["results_name"]?.stringValue != "SUCCESS" { failed.withLock { $0.append("\(event)") } }
                return finished.withLock { $0.insert(Int64(id)); return $0.isSuperset(of: forced) }
            }
            #expect(failed.withLock { $0 }.isEmpty, "\(failed.withLock { $0 })")

            // Straight from the database: one build per request, numbers 1…1,000 once each,
            // and every master built some.
            let perRequest = try await server.sql(
                "SELECT count(*) FROM (SELECT buildrequest_id FROM builds GROUP BY 1 HAVING count(*) <> 1) t",
                database: database)
            #expect(perRequest.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            let numbers = try await server.sql("SELECT number FROM builds WHERE builder = 'b' ORDER BY number",
                                               database: database)
            #expect(numbers.split(separator: "\n").compactMap { Int($0) } == Array(1...requests))
            let builders = try await server.sql("SELECT count(DISTINCT master) FROM builds", database: database)
            #expect(builders.trimmingCharacters(in: .whitespacesAndNewlines) == "\(count)")
            let pending = try await server.sql("SELECT count(*) FROM buildrequests WHERE NOT complete",
                                               database: database)
            #expect(pending.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        }
    }

    /// Starts master NAME (in `master-NAME`) with one worker attached, and follows its events.
    static func site(_ name: String, worker: String, config: String,
                     in scene: Scene) async throws -> (MasterFixture, EventFollower) {
        let master = try await MasterFixture.start(config: config, in: scene.dir.appending("master-\(name)"))
        _ = scene.track(master.process)
        let events = try await master.events()
        _ = scene.track(try WorkerFixture.start(name: worker, password: "pw", master: master.url,
                                                directory: scene.dir.url))
        try await events.workerAttached(worker)
        return (master, events)
    }

    /// The `build_finished` of `request` on whichever master built it.
    static func buildFinished(_ request: Int64, on followers: [EventFollower]) async throws -> JSONValue {
        try await EventFollower.first(on: followers, "build of request \(request) to finish") {
            $0["type"]?.stringValue == "build_finished" && $0["buildrequestid"]?.intValue == Int(request)
        }
    }

    /// Runs `body` on the shared throw-away PostgreSQL server, released however it ends; on a
    /// failure the server's log tail is printed.
    static func withServer(_ body: (PostgresFixture) async throws -> Void) async throws {
        let server = try await SharedPostgres.shared.acquire()
        do {
            try await body(server)
        } catch {
            print("---- PostgreSQL log:\n" + ((try? String(contentsOf: server.directory.appending("server.log"),
                                                           encoding: .utf8)) ?? "").suffix(3000))
            await SharedPostgres.shared.release()
            throw error
        }
        await SharedPostgres.shared.release()
    }
}
