import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting

/// Buildbot 4.3's own master (`pip install buildbot==4.3.0 buildbot-www==4.3.0` into a venv),
/// configured like the Minibot scenario: 4 workers over `msgpack_experimental_v7`, one builder
/// running `true`, a force scheduler, SQLite. Builds are forced through its JSON-RPC API and
/// counted through its REST API: Buildbot has no event stream a client can wait on, so the
/// bench polls every 100 ms (the wait it adds is at most that, once, over the whole run).
enum BuildbotMaster {
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw FixtureError("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func list(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    static func config(www: Int, workers: Int) -> String {
        """
        from buildbot.plugins import schedulers, steps, util, worker
        c = BuildmasterConfig = {}
        names = ["w%d" % i for i in range(1, 5)]
        c["workers"] = [worker.Worker(n, "pw") for n in names]
        c["protocols"] = {"msgpack_experimental_v7": {"port": \(workers)}}
        c["schedulers"] = [schedulers.ForceScheduler(name="force", builderNames=["b"])]
        c["builders"] = [util.BuilderConfig(name="b", workernames=names, collapseRequests=False,
                                            factory=util.BuildFactory([steps.ShellCommand(command=["true"])]))]
        c["title"] = "bench"
        c["buildbotURL"] = "http://127.0.0.1:\(www)/"
        c["www"] = {"port": \(www)}
        c["db"] = {"db_url": "sqlite:///state.sqlite"}
        c["buildbotNetUsageData"] = None
        """
    }

    /// Polls `check` every 100 ms until it is true, for at most `timeout` seconds.
    static func until(_ what: String, timeout: Double = 600, _ check: () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !(await check()) {
            guard Date() < deadline else { throw FixtureError("Buildbot: timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func run(requests: Int, venv: String, workerPython: String) async throws -> Scenarios.ThroughputRun {
        let python = venv + "/bin/python"
        let dir = try TemporaryDirectory("bench-buildbot")
        defer { dir.remove() }
        let base = dir.appending("master").path
        let (www, workerPort) = (try freePort(), try freePort())
        try await StockWorkers.run(python, StockWorkers.arguments(["create-master", base], module: "buildbot"),
                                   log: dir.appending("create-master.log").path)
        try config(www: www, workers: workerPort).write(toFile: base + "/master.cfg", atomically: true, encoding: .utf8)
        try await StockWorkers.run(python, StockWorkers.arguments(["upgrade-master", base], module: "buildbot"),
                                   log: dir.appending("upgrade-master.log").path)
        let master = try ChildProcess(python, StockWorkers.arguments(["start", "--nodaemon", base], module: "buildbot"),
                                      name: "buildbot", logPath: dir.appending("buildbot.log").path)
        var workers: [ChildProcess] = []
        defer {
            // On an error: by pid, only while each process is still ours (not yet reaped).
            for w in workers where w.isRunning { kill(w.pid, SIGKILL) }
            if master.isRunning { kill(master.pid, SIGKILL) }
        }
        let client = MinibotClient(baseURL: "http://127.0.0.1:\(www)")
        try await until("the master to answer", timeout: 300) { (try? await client.get("api/v2/builders")) != nil }
        for i in 1...4 {
            workers.append(try await StockWorkers.start(name: "w\(i)", port: workerPort, python: workerPython, in: dir))
        }
        try await until("4 workers to connect", timeout: 300) {
            let workers = list((try? await client.get("api/v2/workers"))?["workers"])
            return workers.filter { !list($0["connected_to"]).isEmpty }.count == 4
        }
        let builders = list(try await client.get("api/v2/builders")["builders"])
        guard let builderID = builders.first(where: { $0["name"]?.stringValue == "b" })?["builderid"]?.doubleValue else {
            throw FixtureError("Buildbot: no builder b")
        }
        let cpu0 = ProcessStats.cpuSeconds(master.pid)
        let t0 = Date()
        for i in 0..<requests {
            _ = try await client.post("api/v2/forceschedulers/force", .object([
                "jsonrpc": .string("2.0"), "method": .string("force"), "id": .number(Double(i)),
                "params": .object(["builderid": .number(builderID)]),
            ]))
        }
        try await until("\(requests) builds to finish") {
            let answer = try? await client.get("api/v2/buildrequests?complete=true&field=buildrequestid&field=complete")
            return list(answer?["buildrequests"]).count >= requests
        }
        let elapsed = Date().timeIntervalSince(t0)
        let cpu = ProcessStats.cpuSeconds(master.pid) - cpu0
        let peak = ProcessStats.memoryMiB(master.pid, "VmHWM")
        for w in workers { await w.stop() }
        await master.stop()
        workers = []
        return Scenarios.ThroughputRun(rate: Double(requests) / elapsed, cpuPerBuild: cpu / Double(requests), peakMiB: peak)
    }
}
