import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 13: an unmodified buildbot-worker 4.3.0 from PyPI (`--protocol=msgpack_experimental_v7`)
/// runs shell and git builds from a real Minibot master. Needs PyPI once, to fill the venv
/// cache (`scripts/install-buildbot-worker`); without it these tests fail, saying so.
@Suite("A stock buildbot-worker serves a Minibot master", .serialized)
struct StockWorkerTests {
    static func config(_ builders: String, names: [String] = ["b"], workers: String = "  - {name: s1, password: pw}") -> String {
        """
        title: itest
        www: {port: 0, admin_token_file: admin.token}
        workers:
        \(workers)
        schedulers:
          - force: {name: force, builders: [\(names.joined(separator: ", "))]}
        builders:
        \(builders)
        """
    }

    /// Whether process `pid` still exists (a zombie of a dead worker counts as gone).
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")
    }

    static func pid(in path: String) -> Int32? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    @Test("it connects, shows in the API as msgpack, and output, env, properties and workdir reach the log in order")
    func connectsAndRunsShellSteps() async throws {
        try await Scene.run("stock-shell") { scene in
            let builders = """
              - name: b
                workers: [s1]
                steps:
                  - shell:
                      name: talk
                      command: "pwd; for i in 1 2 3; do echo out-$i; echo err-$i >&2; done; echo \\"env=$GREETING prop=%(prop:flavour)s\\""
                      env: {GREETING: hello-%(prop:flavour)s}
                  - shell: {name: argv, command: [printf, "%s|", "a b", "c"]}
            """
            let master = try await scene.master(Self.config(builders))
            let worker = try await StockWorker.connect(name: "s1", master: master, in: scene)

            let workers = try await master.client.get("api/v2/workers")["workers"]?.arrayValue ?? []
            let s1 = try #require(workers.first { $0["name"]?.stringValue == "s1" })
            #expect(s1["connected"]?.boolValue == true)
            #expect(s1["protocol"]?.stringValue == "msgpack")
            #expect(s1["info"]?["version"]?.stringValue == "buildbot-worker 4.3.0")
            #expect(s1["info"]?["facts"]?["basedir"]?.stringValue == worker.dir)
            // The web page is still the answer to a plain GET /.
            #expect(try await master.anonymous.getText("").contains("<html"))

            let events = try await master.events()
            let request = try await master.force("b", properties: ["flavour": "mint"])
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            let buildID = MasterFixture.buildID(finished)
            let log = try await master.log(build: buildID, step: 0)
            #expect(log.contains(worker.dir + "/b/build\n"), "the step ran elsewhere:\n\(log)")
            let outs = log.components(separatedBy: "\n").filter { $0.hasPrefix("out-") || $0.hasPrefix("err-") }
            #expect(outs.filter { $0.hasPrefix("out-") } == ["out-1", "out-2", "out-3"])
            #expect(outs.filter { $0.hasPrefix("err-") } == ["err-1", "err-2", "err-3"])
            #expect(log.contains("env=hello-mint prop=mint"))
            #expect(try await master.log(build: buildID, step: 1).contains("a b|c|"))
        }
    }

    @Test("a failing command fails the build and later steps do not run")
    func failingCommandHalts() async throws {
        try await Scene.run("stock-fail") { scene in
            let marker = scene.path("ran-after")
            let builders = """
              - name: b
                workers: [s1]
                steps:
                  - shell: {name: boom, command: "echo failing; exit 3"}
                  - shell: {name: after, command: "touch '\(marker)'"}
            """
            let master = try await scene.master(Self.config(builders))
            try await StockWorker.connect(name: "s1", master: master, in: scene)
            let events = try await master.events()
            let request = try await master.force("b")
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "FAILURE")
            let build = try await master.build(MasterFixture.buildID(finished))
            let steps = build["steps"]?.arrayValue ?? []
            #expect(steps.first?["results_name"]?.stringValue == "FAILURE")
            #expect(steps.count == 1 || steps[safe: 1]?["results_name"]?.stringValue == "SKIPPED")
            #expect(!FileManager.default.fileExists(atPath: marker))
        }
    }

    @Test("a step over its timeout fails, and its process is gone")
    func timeoutFails() async throws {
        try await Scene.run("stock-timeout") { scene in
            let pidFile = scene.path("pid")
            let builders = """
              - name: b
                workers: [s1]
                steps:
                  - shell: {name: slow, command: "echo $$ > '\(pidFile)'; exec sleep 600", timeout: 2s}
            """
            let master = try await scene.master(Self.config(builders))
            try await StockWorker.connect(name: "s1", master: master, in: scene)
            let events = try await master.events()
            let request = try await master.force("b")
            let finished = try await events.buildFinished(request: request, timeout: 300)
            #expect(finished["results_name"]?.stringValue == "FAILURE")
            let buildID = MasterFixture.buildID(finished)
            #expect(try await master.log(build: buildID, step: 0).contains("timed out after 2 s"))
            let pid = try #require(Self.pid(in: pidFile))
            #expect(!Self.isAlive(pid), "the step's process \(pid) outlived its timeout")
        }
    }

    @Test("stop during a long step ends the build CANCELLED, and its process is gone")
    func stopCancels() async throws {
        try await Scene.run("stock-stop") { scene in
            let pidFile = scene.path("pid")
            let builders = """
              - name: b
                workers: [s1]
                steps:
                  - shell: {name: long, command: "echo $$ > '\(pidFile)'; echo started; exec sleep 600"}
            """
            let master = try await scene.master(Self.config(builders))
            try await StockWorker.connect(name: "s1", master: master, in: scene)
            let events = try await master.events()
            let request = try await master.force("b")
            let buildID = MasterFixture.buildID(try await events.buildStarted(request: request))
            // The step is running once its first line is in the log.
            _ = try await events.wait("the long step's output") {
                $0["type"]?.stringValue == "step_log" && $0["buildid"]?.doubleValue == Double(buildID)
            }
            while try await !master.log(build: buildID, step: 0).contains("started") {
                _ = try await events.wait("more output") { _ in true }
            }
            _ = try await master.client.post("api/v2/builds/\(buildID)/stop", .object(["reason": .string("enough")]))
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "CANCELLED")
            let pid = try #require(Self.pid(in: pidFile))
            #expect(!Self.isAlive(pid), "the interrupted step's process \(pid) is still running")
        }
    }

    @Test("5,000,000 bytes of output arrive whole and in order")
    func bigOutput() async throws {
        try await Scene.run("stock-big") { scene in
            let builders = """
              - name: b
                workers: [s1]
                steps:
                  - shell: {name: big, command: "seq -f '%09g' 1 500000"}
            """
            let master = try await scene.master(Self.config(builders))
            try await StockWorker.connect(name: "s1", master: master, in: scene)
            let events = try await master.events()
            let finished = try await events.buildFinished(request: try await master.force("b"), timeout: 600)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            let log = try await master.log(build: MasterFixture.buildID(finished), step: 0)
            let numbers = log.components(separatedBy: "\n").filter { $0.count == 9 && $0.allSatisfy(\.isNumber) }
            #expect(numbers.count == 500_000)
            #expect(numbers.map { $0.utf8.count + 1 }.reduce(0, +) == 5_000_000)
            #expect(numbers.enumerated().allSatisfy { Int($0.element) == $0.offset + 1 }, "lines out of order or damaged")
        }
    }

    @Test("kill -9 of the worker mid-step ends the build RETRY; after a restart the request builds and succeeds")
    func killedWorkerRetries() async throws {
        try await Scene.run("stock-kill") { scene in
            let marker = scene.path("first-attempt"), pidFile = scene.path("pid")
            let builders = """
              - name: b
                workers: [s1]
                steps:
                  - shell: {name: once, command: "if [ -e '\(marker)' ]; then echo second attempt; exit 0; fi; touch '\(marker)'; echo $$ > '\(pidFile)'; echo started; exec sleep 600"}
            """
            let master = try await scene.master(Self.config(builders))
            let worker = try await StockWorker.connect(name: "s1", master: master, in: scene)
            let events = try await master.events()
            let request = try await master.force("b")
            let first = MasterFixture.buildID(try await events.buildStarted(request: request))
            while try await !master.log(build: first, step: 0).contains("started") {
                _ = try await events.wait("more output") { _ in true }
            }
            await worker.process.crash()
            let retried = try await events.wait("the first build to end") {
                $0["type"]?.stringValue == "build_finished" && MasterFixture.buildID($0) == first
            }
            #expect(retried["results_name"]?.stringValue == "RETRY")
            // The stock worker leaves its command behind when it dies; the test cleans up.
            if let pid = Self.pid(in: pidFile) { kill(pid, SIGKILL) }

            try StockWorker.start(worker.dir, name: "s1", in: scene)
            let second = try await events.wait("the retried build to finish") {
                $0["type"]?.stringValue == "build_finished" && $0["buildrequestid"]?.doubleValue == Double(request)
                    && MasterFixture.buildID($0) != first
            }
            #expect(second["results_name"]?.stringValue == "SUCCESS")
            #expect(try await master.log(build: MasterFixture.buildID(second), step: 0).contains("second attempt"))
        }
    }

    @Test("worker kill interrupts the running command and shuts the stock worker down; worker stop shuts down an idle one")
    func killAndStop() async throws {
        try await Scene.run("stock-kill-stop") { scene in
            let marker = scene.path("first-attempt"), pidFile = scene.path("pid")
            let builders = """
              - name: b
                workers: [s1]
                steps:
                  - shell: {name: once, command: "if [ -e '\(marker)' ]; then exit 0; fi; touch '\(marker)'; echo $$ > '\(pidFile)'; echo started; exec sleep 600"}
            """
            let master = try await scene.master(Self.config(builders))
            let worker = try await StockWorker.connect(name: "s1", master: master, in: scene)
            let events = try await master.events()
            let request = try await master.force("b")
            let first = MasterFixture.buildID(try await events.buildStarted(request: request))
            while try await !master.log(build: first, step: 0).contains("started") {
                _ = try await events.wait("more output") { _ in true }
            }
            _ = try await master.client.post("api/v2/workers/s1/kill", .object([:]))
            let killed = try await events.wait("the first build to end") {
                $0["type"]?.stringValue == "build_finished" && MasterFixture.buildID($0) == first
            }
            #expect(killed["results_name"]?.stringValue == "RETRY")
            #expect(await worker.process.waitForExit(timeout: 60) != nil, "the stock worker did not exit on shutdown")
            let pid = try #require(Self.pid(in: pidFile))
            #expect(!Self.isAlive(pid), "the killed worker's command \(pid) is still running")

            // Back, it runs the retried request; then a graceful stop shuts it down.
            let again = try StockWorker.start(worker.dir, name: "s1", in: scene)
            let retried = try await events.wait("the retried build to finish") {
                $0["type"]?.stringValue == "build_finished" && $0["buildrequestid"]?.doubleValue == Double(request)
                    && MasterFixture.buildID($0) != first
            }
            #expect(retried["results_name"]?.stringValue == "SUCCESS")
            _ = try await master.client.post("api/v2/workers/s1/stop", .object([:]))
            #expect(await again.waitForExit(timeout: 60) != nil, "the stock worker did not exit on a graceful stop")
        }
    }

    @Test("two stock workers and a native one share the builds of one builder")
    func mixedWorkersShareBuilds() async throws {
        try await Scene.run("stock-mixed") { scene in
            let gate = scene.path("gate")
            let builders = """
              - name: b
                workers: [s1, s2, w1]
                steps:
                  - shell: {name: wait, command: "\(waitForFileCommand(gate))"}
            """
            let master = try await scene.master(Self.config(builders, workers: """
              - {name: s1, password: pw}
              - {name: s2, password: pw}
              - {name: w1, password: pw}
            """))
            try await StockWorker.connect(name: "s1", master: master, in: scene)
            try await StockWorker.connect(name: "s2", master: master, in: scene)
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            var requests: [Int64] = []
            for _ in 0..<3 { requests.append(try await master.force("b")) }
            var workers: Set<String> = []
            for request in requests {
                workers.insert(try await events.buildStarted(request: request)["worker"]?.stringValue ?? "?")
            }
            #expect(workers == ["s1", "s2", "w1"])
            touch(gate)
            for request in requests {
                #expect(try await events.buildFinished(request: request)["results_name"]?.stringValue == "SUCCESS")
            }
        }
    }

    @Test("a git step checks out the pushed revision and sets got_revision")
    func gitStep() async throws {
        try await Scene.run("stock-git") { scene in
            let git = try scene.git()
            try git.commit(["hello.txt": "first\n"], message: "first")
            try git.push("main")
            let builders = """
              - name: b
                workers: [s1]
                steps:
                  - git: {repository: \(git.remotePath), branch: main, mode: full}
                  - shell: {name: show, command: "cat hello.txt; echo rev=%(prop:got_revision)s"}
            """
            let master = try await scene.master(Self.config(builders))
            try await StockWorker.connect(name: "s1", master: master, in: scene)
            let events = try await master.events()

            let first = try await events.buildFinished(request: try await master.force("b"))
            #expect(first["results_name"]?.stringValue == "SUCCESS")
            let sha = try git.commit(["hello.txt": "second \(UUID().uuidString)\n"], message: "second")
            try git.push("main")
            // The second build fetches into the existing clone.
            let second = try await events.buildFinished(request: try await master.force("b"))
            #expect(second["results_name"]?.stringValue == "SUCCESS")
            let buildID = MasterFixture.buildID(second)
            let build = try await master.build(buildID)
            #expect(build["properties"]?["got_revision"]?.stringValue == sha)
            let show = try await master.log(build: buildID, step: 1)
            #expect(show.contains("second ") && show.contains("rev=\(sha)"), "\(show)")
        }
    }

    @Test("a wrong password is refused, and so is an upgrade without credentials")
    func wrongPasswordRefused() async throws {
        try await Scene.run("stock-refused") { scene in
            let builders = """
              - name: b
                workers: [s1]
                steps:
                  - shell: {name: t, command: "true"}
            """
            let master = try await scene.master(Self.config(builders))
            let events = try await master.events()
            let dir = try await StockWorker.create(name: "s1", password: "wrong", master: master, in: scene)
            try StockWorker.start(dir, name: "s1", in: scene)
            let refused = try await events.wait("the refusal of s1") {
                $0["type"]?.stringValue == "worker_refused" && $0["worker"]?.stringValue == "s1"
            }
            #expect(refused["protocol"]?.stringValue == "msgpack")
            #expect(refused["reason"]?.stringValue?.isEmpty == false)
            let workers = try await master.client.get("api/v2/workers")["workers"]?.arrayValue ?? []
            #expect(workers.first { $0["name"]?.stringValue == "s1" }?["connected"]?.boolValue == false)

            // An upgrade of / without credentials is refused before it becomes a WebSocket.
            let out = scene.dir.appending("curl.out").path
            let fd = try Spawn.open(out, forWriting: true)
            defer { close(fd) }
            let stdin = try Spawn.open("/dev/null", forWriting: false)
            defer { close(stdin) }
            let status = try await Spawn.run("/usr/bin/env", [
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Connection: Upgrade", "-H", "Upgrade: websocket",
                "-H", "Sec-WebSocket-Version: 13", "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", master.url + "/",
            ], environment: ProcessInfo.processInfo.environment, stdin: stdin, stdout: fd, stderr: fd, timeout: 60)
            #expect(status == 0)
            #expect((try? String(contentsOfFile: out, encoding: .utf8)) == "401")
            _ = try await events.wait("the refusal of an upgrade without credentials") {
                $0["type"]?.stringValue == "worker_refused" && $0["worker"] == .null
            }
        }
    }
}
