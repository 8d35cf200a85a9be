import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 13, the master.cfg side of stock workers: `protocol:` on a worker entry, `host_agent`
/// refused for a stock worker, its load polled by the master, and refused upgrades answered
/// 401 or 409 — all against a real master and an unmodified buildbot-worker 4.3.0.
@Suite("Stock workers in master.cfg: protocol, load, refusals", .serialized)
struct StockWorkerConfigTests {
    static let builders = """
      - name: b
        workers: [s1]
        steps:
          - shell: {name: t, command: "true"}
    """

    /// `curl` of an upgrade of `/`, with `-u credentials` when given; the HTTP status.
    static func upgradeStatus(_ master: MasterFixture, credentials: String?, in scene: Scene) async throws -> String {
        let out = scene.path("curl-\(UUID().uuidString.prefix(6)).out")
        let fd = try Spawn.open(out, forWriting: true)
        defer { close(fd) }
        let stdin = try Spawn.open("/dev/null", forWriting: false)
        defer { close(stdin) }
        var arguments = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Connection: Upgrade",
                         "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
                         "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]
        if let credentials { arguments += ["-u", credentials] }
        let status = try await Spawn.run("/usr/bin/env", arguments + [master.url + "/"],
                                         environment: ProcessInfo.processInfo.environment,
                                         stdin: stdin, stdout: fd, stderr: fd, timeout: 60)
        #expect(status == 0, "curl failed: \((try? String(contentsOfFile: out, encoding: .utf8)) ?? "")")
        return (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    }

    @Test("protocol: msgpack refuses a native hello, protocol: native refuses a stock worker; refusals are 401 or 409")
    func protocolKeyAndRefusalStatuses() async throws {
        try await Scene.run("stock-protocol") { scene in
            let master = try await scene.master(StockWorkerTests.config(Self.builders, workers: """
              - {name: s1, password: pw, protocol: msgpack}
              - {name: n1, password: pw, protocol: native}
              - {name: any, password: pw}
            """))
            let events = try await master.events()

            // A native hello for a stock worker's name: the one refusal text, the reason logged.
            let native = try await WorkerEndpointTests.talk(port: master.port, frames: [try WorkerEndpointTests.hello("s1", "pw")])
            #expect(native.messages.contains { $0.contains("refused") && $0.contains("unknown worker name or wrong password") },
                    "\(native)")
            #expect(master.process.log.contains("worker \"s1\" is declared 'protocol: msgpack' in master.cfg and connected with the native protocol"))

            // A stock worker for a native-only name: refused the same way, with its event.
            let dir = try await StockWorker.create(name: "n1", password: "pw", master: master, in: scene)
            let n1 = try StockWorker.start(dir, name: "n1", in: scene)
            let refused = try await events.wait("the refusal of n1") {
                $0["type"]?.stringValue == "worker_refused" && $0["worker"]?.stringValue == "n1"
            }
            #expect(refused["reason"]?.stringValue == "unknown worker name or wrong password")
            #expect(master.process.log.contains("worker \"n1\" is declared 'protocol: native' in master.cfg and connected with the msgpack protocol"))
            await n1.stop()

            // The declared stock worker connects, and so does one of either protocol.
            try await StockWorker.connect(name: "s1", master: master, in: scene)
            try await StockWorker.connect(name: "any", master: master, in: scene)
            let workers = try await master.client.get("api/v2/workers")["workers"]?.arrayValue ?? []
            #expect(workers.first { $0["name"]?.stringValue == "s1" }?["connected"]?.boolValue == true)
            #expect(workers.first { $0["name"]?.stringValue == "n1" }?["connected"]?.boolValue == false)

            // Raw upgrades: bad, missing or wrong-protocol credentials are 401; a name already
            // connected is 409 (hummingbird-websocket alone would answer 400 to all of them).
            #expect(try await Self.upgradeStatus(master, credentials: "s1:wrong", in: scene) == "401")
            #expect(try await Self.upgradeStatus(master, credentials: "nobody:pw", in: scene) == "401")
            #expect(try await Self.upgradeStatus(master, credentials: nil, in: scene) == "401")
            #expect(try await Self.upgradeStatus(master, credentials: "n1:pw", in: scene) == "401")
            #expect(try await Self.upgradeStatus(master, credentials: "s1:pw", in: scene) == "409")
            #expect(master.process.log.contains("worker \"s1\" is already connected"))
            // The web page still answers a plain GET /.
            #expect(try await master.anonymous.getText("").contains("<html"))
        }
    }

    @Test("checkconfig refuses host_agent for a worker declared protocol: msgpack, at file:line:column")
    func hostAgentRefusedForAStockWorker() async throws {
        try await Scene.run("stock-host-agent") { scene in
            let file = scene.dir.appending("master.cfg")
            try """
            www: {port: 0}
            workers:
              - {name: s1, password: pw, protocol: msgpack}
              - {name: w1, password: pw}
            builders:
              - name: b
                workers: [s1, w1]
                steps:
                  - shell: {command: "true"}
            plugins:
              availability:
                workers:
                  s1: {max_load: 4, host_agent: required}
                  w1: {host_agent: required}
            """.write(to: file, atomically: true, encoding: .utf8)
            let run = try await scene.cli(["checkconfig", file.path])
            #expect(run.status == 1)
            let all = run.text + "\n" + run.stderr
            #expect(all.contains(file.path + ":13:25: 'host_agent' cannot apply to worker 's1': it is declared 'protocol: msgpack'"),
                    "\(all)")
            #expect(!all.contains("worker 'w1'"), "\(all)")
        }
    }

    @Test("the master polls a stock worker's load: a threshold below it holds builds with a load reason, a high one lets them run")
    func loadThresholdsApplyToStockWorkers() async throws {
        try await Scene.run("stock-load") { scene in
            let builders = """
              - name: b
                workers: [s1]
                steps:
                  - shell: {name: t, command: "echo ran"}
              - name: free
                workers: [s2]
                steps:
                  - shell: {name: t, command: "echo ran"}
            """
            let master = try await scene.master(StockWorkerTests.config(builders, names: ["b", "free"], workers: """
              - {name: s1, password: pw, protocol: msgpack}
              - {name: s2, password: pw, protocol: msgpack}
            """) + """

            plugins:
              availability:
                workers:
                  s1: {max_load: 0.0001}
                  s2: {max_load: 100000}
            """)
            try await StockWorker.connect(name: "s1", master: master, in: scene)
            try await StockWorker.connect(name: "s2", master: master, in: scene)
            let events = try await master.events()

            // The real load of this machine is far above 0.0001: s1 takes nothing, and says why.
            let held = try await master.force("b")
            _ = try await events.requestWaiting(held, containing: "> 0.0")
            let reasons = try await master.waitingReasons(held)
            #expect(reasons.contains { $0.hasPrefix("s1:") && $0.contains("load ") && $0.contains(" > 0.0") }, "\(reasons)")
            let s1 = try await master.client.get("api/v2/workers/s1")["workers"]?.arrayValue.first
            #expect(s1?["availability"]?["state"]?.stringValue == "unavailable")
            // The polled load is shown as a native worker's report is.
            #expect((s1?["load"]?["load1"]?.doubleValue ?? -1) > 0.0001, "\(String(describing: s1))")

            // s2's threshold is far above any load: its build runs, and the probe is in no log.
            let finished = try await events.buildFinished(request: try await master.force("free"))
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            let log = try await master.log(build: MasterFixture.buildID(finished), step: 0)
            #expect(log.contains("ran") && !log.contains("loadavg"), "\(log)")
            #expect(try await master.request(held)?["claimed"]?.boolValue != true)
        }
    }
}
