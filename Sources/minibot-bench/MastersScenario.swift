import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Synchronization

/// (n) issue 14: 1, 2 and 3 masters on one throw-away PostgreSQL server (`PostgresFixture`).
/// Throughput of `requests` builds of `true` on 8 workers shared out between the masters (the
/// requests forced on the masters in turn, by 8 clients at once), the masters' SQL statements
/// per build (their `minibot_database_statements_total`, everything they sent while the builds
/// ran: claims, steps, logs, heartbeats, the forcing itself), the masters' and the server's CPU
/// per build; the time from a request submitted on a master without workers to its start on
/// another; and the failover time after `kill -9` of the master running a build, until another
/// master starts it again (lease and reaper at their defaults).
enum MastersScenario {
    static func run(runs: Int, requests: Int) async throws {
        guard PostgresFixture.binaryDirectory != nil else {
            print("(n) several masters: skipped, PostgreSQL is not installed (apt-get install -y postgresql)")
            return
        }
        let server = try await PostgresFixture.start()
        do {
            try await measure(server, runs: runs, requests: requests)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private static func measure(_ server: PostgresFixture, runs: Int, requests: Int) async throws {
        print("(n) several masters on one PostgreSQL, \(requests) builds of `true` on 8 workers:")
        var single = Double.nan
        for count in 1...3 {
            var rates: [Double] = [], statements: [Double] = [], masterCPU: [Double] = [], serverCPU: [Double] = []
            for _ in 0..<runs {
                let run = try await throughput(server, masters: count, requests: requests)
                rates.append(run.rate)
                statements.append(run.statementsPerBuild)
                masterCPU.append(run.masterCPUPerBuild)
                serverCPU.append(run.serverCPUPerBuild)
            }
            let rate = Sample(values: rates)
            if count == 1 { single = rate.median }
            let goal = count == 1 ? "   target ≥ 300 builds/s" : count == 2 ? "   target ≥ 1.7 × one master" : ""
            print("    \(count) master\(count == 1 ? "" : "s"): \(rate.format("builds/s", digits: 1))"
                + (count > 1 ? String(format: ", %.2f × one master", rate.median / single) : "") + goal)
            print("      SQL statements per build: \(Sample(values: statements).format("", digits: 1))   target ≤ 15")
            print("      CPU per build: masters \(Sample(values: masterCPU).format("ms", scale: 1000)); "
                + "PostgreSQL \(Sample(values: serverCPU).format("ms", scale: 1000))")
        }
        let latencies = try await crossMasterLatency(server, samples: max(10, runs * 4))
        print("    submit on one master → build start on another: \(Sample(values: latencies).format("ms", scale: 1000))   target ≤ 20 ms")
        var failovers: [Double] = []
        for _ in 0..<max(1, runs / 2) { failovers.append(try await failover(server)) }
        print("    kill -9 of the master running a build → started again by another: \(Sample(values: failovers).format("s", digits: 1))   target < 30 s")
    }

    private struct ThroughputRun {
        var rate: Double
        var statementsPerBuild: Double
        var masterCPUPerBuild: Double
        var serverCPUPerBuild: Double
    }

    private static func config(_ server: PostgresFixture, database: String, workers: [String], step: String) -> String {
        Scenarios.config(names: workers, step: step, db: "db: \(server.url(database: database))")
    }

    /// `count` masters sharing one configuration on a new database; worker k connects to
    /// master `connect(k)` (none when nil).
    private static func start(_ server: PostgresFixture, masters count: Int, workers: [String], step: String,
                              connect: (Int) -> Int?, in dir: TemporaryDirectory) async throws
        -> (masters: [MasterFixture], followers: [EventFollower], workers: [ChildProcess]) {
        let database = try await server.createDatabase("bench")
        let text = config(server, database: database, workers: workers, step: step)
        var masters: [MasterFixture] = [], followers: [EventFollower] = [], processes: [ChildProcess] = []
        for i in 0..<count {
            let (master, follower) = try await site(text, in: dir.appending("master-\(i)"))
            masters.append(master)
            followers.append(follower)
        }
        for (k, name) in workers.enumerated() {
            guard let i = connect(k) else { continue }
            processes.append(try await attach(name, to: masters[i], followers[i], in: dir))
        }
        return (masters, followers, processes)
    }

    private static func site(_ config: String, in directory: URL) async throws -> (MasterFixture, EventFollower) {
        let master = try await MasterFixture.start(config: config, in: directory)
        return (master, try await master.events())
    }

    private static func attach(_ worker: String, to master: MasterFixture, _ follower: EventFollower,
                               in dir: TemporaryDirectory) async throws -> ChildProcess {
        let process = try WorkerFixture.start(name: worker, password: "pw", master: master.url, directory: dir.url)
        try await follower.workerAttached(worker)
        return process
    }

    private static func stop(_ masters: [MasterFixture], _ workers: [ChildProcess], _ dir: TemporaryDirectory) async {
        for w in workers { await w.stop() }
        for m in masters { await m.stop() }
        dir.remove()
    }

    private static func throughput(_ server: PostgresFixture, masters count: Int, requests: Int) async throws -> ThroughputRun {
        let dir = try TemporaryDirectory("bench-masters")
        let names = (1...8).map { "w\($0)" }
        let (masters, followers, workers) = try await start(server, masters: count, workers: names, step: "[\"true\"]",
                                                            connect: { $0 % count }, in: dir)
        var statements0 = 0.0
        for m in masters { statements0 += try await WebScenario.statements(m) }
        let cpu0 = masters.map { ProcessStats.cpuSeconds($0.process.pid) }.reduce(0, +)
        let server0 = ProcessStats.treeCPUSeconds(server.pid)
        let t0 = Date()
        // 8 clients force at once, each on the masters in turn.
        let forced = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for client in 0..<8 {
                group.addTask {
                    var ids: [Int64] = []
                    for i in stride(from: client, to: requests, by: 8) { ids.append(try await masters[i % count].force("b")) }
                    return ids
                }
            }
            var all = Set<Int64>()
            for try await ids in group { all.formUnion(ids) }
            return all
        }
        let finished = Mutex(Set<Int64>())
        _ = try await EventFollower.first(on: followers, timeout: 600, "all \(requests) builds to finish") { e in
            guard e["type"]?.stringValue == "build_finished", let r = e["buildrequestid"]?.intValue else { return false }
            return finished.withLock { $0.insert(Int64(r)); return $0.isSuperset(of: forced) }
        }
        let elapsed = Date().timeIntervalSince(t0)
        let cpu = masters.map { ProcessStats.cpuSeconds($0.process.pid) }.reduce(0, +) - cpu0
        let serverCPU = ProcessStats.treeCPUSeconds(server.pid) - server0
        var statements1 = 0.0
        for m in masters { statements1 += try await WebScenario.statements(m) }
        await stop(masters, workers, dir)
        let n = Double(requests)
        return ThroughputRun(rate: n / elapsed, statementsPerBuild: (statements1 - statements0) / n,
                             masterCPUPerBuild: cpu / n, serverCPUPerBuild: serverCPU / n)
    }

    /// Master A has no worker, master B has one: each request forced on A starts on B; the
    /// time is B's `started_at` less A's `submitted_at` (one machine, one clock).
    private static func crossMasterLatency(_ server: PostgresFixture, samples: Int) async throws -> [Double] {
        let dir = try TemporaryDirectory("bench-masters-latency")
        let (masters, followers, workers) = try await start(server, masters: 2, workers: ["w1"], step: "[\"true\"]",
                                                            connect: { _ in 1 }, in: dir)
        var latencies: [Double] = []
        for _ in 0..<samples {
            let request = try await masters[0].force("b")
            let finished = try await followers[1].buildFinished(request: request)
            guard let id = finished["buildid"]?.intValue else { throw FixtureError("no buildid in \(finished)") }
            let build = try await masters[1].build(Int64(id))
            let submitted = try await masters[0].client.get("api/v2/buildrequests/\(request)")
            guard case .array(let list)? = submitted["buildrequests"], let at = list.first?["submitted_at"]?.doubleValue,
                  let started = build["started_at"]?.doubleValue else {
                throw FixtureError("request \(request) or its build has no time: \(submitted) \(build)")
            }
            latencies.append(started - at)
        }
        await stop(masters, workers, dir)
        return latencies
    }

    /// Master A runs a build on its worker (the step waits there for ever); master B, with a
    /// worker of its own, starts once it runs. A is killed (`kill -9`); the figure is the time
    /// until B starts that request again.
    private static func failover(_ server: PostgresFixture) async throws -> Double {
        let dir = try TemporaryDirectory("bench-masters-failover")
        let database = try await server.createDatabase("bench")
        let text = config(server, database: database, workers: ["wa", "wb"],
                          step: "\"while [ %(prop:workername)s = wa ]; do sleep 0.05; done\"")
        let (a, aEvents) = try await site(text, in: dir.appending("master-a"))
        let wa = try await attach("wa", to: a, aEvents, in: dir)
        let request = try await a.force("b")
        _ = try await aEvents.buildStarted(request: request)
        let (b, bEvents) = try await site(text, in: dir.appending("master-b"))
        let wb = try await attach("wb", to: b, bEvents, in: dir)
        let t0 = Date()
        await a.process.crash()
        _ = try await bEvents.buildStarted(request: request, timeout: 300)
        let elapsed = Date().timeIntervalSince(t0)
        await stop([b], [wa, wb], dir)
        return elapsed
    }
}
