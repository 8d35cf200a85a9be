import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// The host agent with real processes: `minibot-agent`, masters and workers relaying for them.
///
/// Every step appends `start MASTER` and `end MASTER` to one shared file while it holds the
/// host's slot; "strictly one at a time" is read from that file, which is the truth the
/// agent promises (a build's steps run inside its lease).
@Suite(.serialized)
struct HostAgentTests {
    /// One master with its workers, all behind the agent at `socket`.
    struct Site {
        var name: String
        var master: MasterFixture
        var events: EventFollower
        var workers: [ChildProcess]
    }

    /// `db`: the line that puts the master on a shared database (empty: its own SQLite file).
    static func config(master: String, workers: [String], ledger: String, seconds: Double, db: String = "") -> String {
        """
        title: \(master)
        www: {port: 0, admin_token_file: admin.token}
        \(db)
        workers:
        \(workers.map { "  - {name: \($0), password: pw, max_builds: 1}" }.joined(separator: "\n"))
        schedulers:
          - force: {name: force, builders: [job]}
        builders:
          - name: job
            collapse_requests: false
            workers: [\(workers.joined(separator: ", "))]
            steps:
              - shell: {name: hold, command: "echo start \(master) >> \(ledger); sleep \(seconds); echo end \(master) >> \(ledger)"}
        plugins:
          availability: {}
        """
    }

    static func site(_ name: String, workers: [String], socket: String, ledger: String, seconds: Double,
                     db: String = "", in dir: TemporaryDirectory) async throws -> Site {
        let master = try await MasterFixture.start(
            config: config(master: name, workers: workers, ledger: ledger, seconds: seconds, db: db),
            in: dir.appending(name))
        let events = try await master.events()
        var processes: [ChildProcess] = []
        for worker in workers {
            processes.append(try WorkerFixture.start(name: worker, password: "pw", master: master.url, directory: dir.url,
                                                     extraArguments: ["--agent", socket]))
        }
        for worker in workers { try await events.workerAttached(worker) }
        return Site(name: name, master: master, events: events, workers: processes)
    }

    static func agentYAML(loadFile: String, extra: String = "max_load: 100") -> String {
        "slots: 1\nsettle: 200ms\nlease_ttl: 6s\noffer_timeout: 10s\nsample_interval: 200ms\nload_file: \(loadFile)\n\(extra)\n"
    }

    static func writeLoad(_ value: Double, to file: URL) throws {
        try String(format: "%.2f %.2f %.2f 1/100 1\n", value, value, value).write(to: file, atomically: true, encoding: .utf8)
    }

    /// The ledger's lines as (kind, master).
    static func ledger(_ path: String) -> [(kind: String, master: String)] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { line in
            let parts = line.split(separator: " ").map(String.init)
            return (parts.first ?? "", parts.dropFirst().first ?? "")
        }
    }

    /// Every `start` is followed by the `end` of the same master before the next `start`.
    static func isStrictlySequential(_ entries: [(kind: String, master: String)]) -> Bool {
        var open: String?
        for entry in entries {
            switch entry.kind {
            case "start":
                if open != nil { return false }
                open = entry.master
            case "end":
                if open != entry.master { return false }
                open = nil
            default: return false
            }
        }
        return true
    }

    static func waitAll(_ site: Site, _ ids: [Int64], timeout: Double = 600) async throws -> [JSONValue] {
        var finished: [JSONValue] = []
        for id in ids { finished.append(try await site.events.buildFinished(request: id, timeout: timeout)) }
        return finished
    }

    /// One agent on a fresh socket, its load file, the shared step ledger, and the sites a
    /// test adds.
    final class AgentScene {
        let dir: TemporaryDirectory
        let load: URL
        let socket: String
        let ledger: String
        let yaml: String
        var agent: ChildProcess?
        var sites: [Site] = []

        init(dir: TemporaryDirectory, yaml: (String) -> String) {
            self.dir = dir
            self.load = dir.appending("loadavg")
            self.socket = dir.appending("agent.sock").path
            self.ledger = dir.appending("ledger").path
            self.yaml = yaml(load.path)
        }

        func startAgent() async throws {
            agent = try await AgentFixture.start(socket: socket, yaml: yaml, directory: dir.url)
        }

        func writeLoad(_ value: Double) throws {
            try HostAgentTests.writeLoad(value, to: load)
        }

        @discardableResult
        func addSite(_ name: String, workers: [String], seconds: Double, db: String = "") async throws -> Site {
            let site = try await HostAgentTests.site(name, workers: workers, socket: socket, ledger: ledger,
                                                     seconds: seconds, db: db, in: dir)
            sites.append(site)
            return site
        }

        func shutdown() async {
            for site in sites {
                for worker in site.workers { await worker.stop() }
                await site.master.stop()
            }
            await agent?.stop()
        }
    }

    /// Runs `body` with an agent started at `load`; on failure records the agent's log, and
    /// stops every process it started either way.
    static func withAgent(_ name: String, load: Double = 0.1, extra: String = "max_load: 100",
                          _ body: (AgentScene) async throws -> Void) async throws {
        let dir = try TemporaryDirectory(name)
        defer { dir.remove() }
        let scene = AgentScene(dir: dir) { agentYAML(loadFile: $0, extra: extra) }
        do {
            try scene.writeLoad(load)
            try await scene.startAgent()
            try await body(scene)
        } catch {
            Issue.record("agent log:\n\(scene.agent?.log.suffix(3000) ?? "")")
            for site in scene.sites {
                Issue.record("master \(site.name) log:\n\(site.master.process.log.suffix(3000))")
                for worker in site.workers { Issue.record("worker log:\n\(worker.log.suffix(2000))") }
            }
            await scene.shutdown()
            throw error
        }
        await scene.shutdown()
    }

    @Test func twelveBuildsFromTwoMastersRunOneAtATimeAndAlternate() async throws {
        try await Self.withAgent("agent-fair") { scene in
            let ma = try await scene.addSite("ma", workers: ["a1", "a2"], seconds: 1)
            let mb = try await scene.addSite("mb", workers: ["b1", "b2"], seconds: 1)
            var ids: [[Int64]] = [[], []]
            for _ in 0..<6 {
                ids[0].append(try await ma.master.force("job"))
                ids[1].append(try await mb.master.force("job"))
            }
            for (site, list) in zip([ma, mb], ids) {
                for event in try await Self.waitAll(site, list) { #expect(event["results_name"]?.stringValue == "SUCCESS") }
            }
            let entries = Self.ledger(scene.ledger)
            #expect(entries.count == 24)
            #expect(Self.isStrictlySequential(entries), "builds overlapped: \(entries)")
            // Fair: no master runs three in a row while the other still has builds waiting.
            let starts = entries.filter { $0.kind == "start" }.map(\.master)
            for i in 0..<(max(0, starts.count - 2)) where starts[i] == starts[i + 1] && starts[i + 1] == starts[i + 2] {
                let other = starts[i] == "ma" ? "mb" : "ma"
                #expect(starts[...(i + 2)].filter { $0 == other }.count == 6, "unfair order: \(starts)")
            }
        }
    }

    /// Issue 14: the same with both masters on one PostgreSQL database, each defining builder
    /// `job` with its own two workers (two different master.cfg files): a request forced on
    /// one master may be built by the other, the agent still hands out its one slot to one
    /// build at a time across both, and a request claimed by one master is withdrawn from the
    /// agent by the other.
    @Test(.enabled(if: PostgresFixture.skipReason == nil, Comment(rawValue: PostgresFixture.skipReason ?? "")))
    func twoMastersOnOnePostgreSQLShareTheHostsSlot() async throws {
        try await SeveralMastersTests.withServer { server in
            let db = "db: " + server.url(database: try await server.createDatabase("agent"))
            try await Self.withAgent("agent-postgres") { scene in
                let ma = try await scene.addSite("ma", workers: ["a1", "a2"], seconds: 0.5, db: db)
                let mb = try await scene.addSite("mb", workers: ["b1", "b2"], seconds: 0.5, db: db)
                var ids: [Int64] = []
                for _ in 0..<6 {
                    ids.append(try await ma.master.force("job"))
                    ids.append(try await mb.master.force("job"))
                }
                for id in ids {
                    let finished = try await EventFollower.first(on: [ma.events, mb.events], timeout: 600,
                                                                 "build of request \(id) to finish") {
                        $0["type"]?.stringValue == "build_finished" && $0["buildrequestid"]?.intValue == Int(id)
                    }
                    #expect(finished["results_name"]?.stringValue == "SUCCESS", "\(finished)")
                }
                let entries = Self.ledger(scene.ledger)
                #expect(entries.count == 24, "\(entries)")
                #expect(Self.isStrictlySequential(entries), "builds overlapped: \(entries)")
                // A master that lost a request to the other withdraws its subscriptions for it: no
                // offer of the slot waits unanswered until it expires (it did, 10 s per build).
                let agentLog = scene.agent?.log ?? ""
                #expect(!agentLog.contains("not claimed within"), "an offer expired: \(agentLog.suffix(3000))")
            }
        }
    }

    @Test func anAgentKilledMidBuildAndRestartedNeverOvergrants() async throws {
        try await Self.withAgent("agent-crash") { scene in
            let site = try await scene.addSite("ma", workers: ["a1", "a2"], seconds: 10)
            let first = try await site.master.force("job")
            let second = try await site.master.force("job")
            _ = try await site.events.wait(timeout: 300, "a build to start") { $0["type"]?.stringValue == "build_started" }
            await scene.agent?.crash()
            try await scene.startAgent()
            _ = try await Self.waitAll(site, [first, second])
            let entries = Self.ledger(scene.ledger)
            #expect(entries.count == 4)
            #expect(Self.isStrictlySequential(entries), "a second build started before the first ended: \(entries)")
        }
    }

    @Test func aMasterKilledMidBuildGivesItsSlotBack() async throws {
        try await Self.withAgent("agent-master-crash") { scene in
            let ma = try await scene.addSite("ma", workers: ["a1"], seconds: 600)
            let mb = try await scene.addSite("mb", workers: ["b1"], seconds: 1)
            let long = try await ma.master.force("job")
            _ = try await ma.events.buildStarted(request: long, timeout: 300)
            let waiting = try await mb.master.force("job")
            await ma.master.process.crash()
            let finished = try await mb.events.buildFinished(request: waiting, timeout: 300)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
        }
    }

    @Test func noOfferWhileTheLoadIsAboveMaxLoadUntilItFallsBelowResumeLoad() async throws {
        try await Self.withAgent("agent-load", load: 5.0, extra: "max_load: 3\nresume_load: 2") { scene in
            let site = try await scene.addSite("ma", workers: ["a1"], seconds: 0)
            let id = try await site.master.force("job")
            let waiting = try await site.events.requestWaiting(id, containing: "load 5.0 > 3.0", timeout: 300)
            let reasons = (waiting["reasons"]?.array ?? []).compactMap { $0["reason"]?.stringValue }
            #expect(reasons.contains { $0.contains("waiting for host agent on") }, "\(reasons)")
            // Between resume_load and max_load: still blocked (hysteresis).
            try scene.writeLoad(2.5)
            _ = try await site.events.requestWaiting(id, containing: "not yet below 2.0", timeout: 300)
            #expect(await !site.events.events.contains { $0["type"]?.stringValue == "build_started" })
            try scene.writeLoad(1.0)
            let finished = try await site.events.buildFinished(request: id, timeout: 300)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
        }
    }
}
