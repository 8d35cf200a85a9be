import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// The availability plugin end to end: a real master, real workers and the real CLIs.
///
/// Builds and waiting reasons are observed on the master's event stream (`build_started`,
/// `request_waiting`); the API is read once the event says what it should show.
@Suite("Availability with real processes", .serialized)
struct AvailabilityIntegrationTests {
    /// A master with workers `wa` and `wb` (or the ones named) on builder `b`, whose one step
    /// waits for the file `gate` when given (so that a build keeps its worker busy), printing
    /// `before` first (a shell command, e.g. `echo pid $$`).
    static func config(workers: [String] = ["wa", "wb"], gate: String? = nil, before: String? = nil,
                       plugin: String = "  availability: {}") -> String {
        let wait = gate.map { "while [ ! -e '\($0)' ]; do sleep 0.05; done" }
        let step = wait.map { #"""# + (before.map { $0 + "; " } ?? "") + $0 + #"""# } ?? #"["true"]"#
        return """
        title: availability-test
        www: {port: 0, admin_token_file: admin.token}
        workers:
        \(workers.map { "  - {name: \($0), password: pw}" }.joined(separator: "\n"))
        schedulers:
          - force: {name: force, builders: [b]}
        builders:
          - name: b
            collapse_requests: false
            workers: [\(workers.joined(separator: ", "))]
            steps:
              - shell: {name: step, command: \(step)}
        plugins:
        \(plugin)
        """
    }

    /// Everything one test started; ``close()`` stops it and removes its directory.
    final class Cluster: Sendable {
        let dir: TemporaryDirectory
        let master: MasterFixture
        let workers: [String: ChildProcess]

        init(dir: TemporaryDirectory, master: MasterFixture, workers: [String: ChildProcess]) {
            self.dir = dir
            self.master = master
            self.workers = workers
        }

        func basedir(_ name: String) -> String { dir.appending(name).path }

        func close(also extra: [ChildProcess?] = []) async {
            for worker in Array(workers.values) + extra.compactMap({ $0 }) { await worker.stop() }
            await master.stop()
            dir.remove()
        }
    }

    static func start(config: String, workers: [String], workerArguments: [String: [String]] = [:]) async throws -> Cluster {
        let dir = try TemporaryDirectory("availability-it")
        let master: MasterFixture
        do {
            master = try await MasterFixture.start(config: config, in: dir.appending("master"))
        } catch {
            dir.remove()
            throw error
        }
        var processes: [String: ChildProcess] = [:]
        do {
            let events = try await master.events()
            for name in workers {
                processes[name] = try WorkerFixture.start(name: name, password: "pw", master: master.url, directory: dir.url,
                                                          extraArguments: workerArguments[name] ?? [])
            }
            for name in workers { try await events.workerAttached(name) }
        } catch {
            await Cluster(dir: dir, master: master, workers: processes).close()
            throw error
        }
        return Cluster(dir: dir, master: master, workers: processes)
    }

    /// Starts a cluster, runs `body` on it and closes it, whether `body` returns or throws.
    static func withCluster(config: String, workers: [String], workerArguments: [String: [String]] = [:],
                            _ body: (Cluster) async throws -> Void) async throws {
        let cluster = try await start(config: config, workers: workers, workerArguments: workerArguments)
        do {
            try await body(cluster)
        } catch {
            await cluster.close()
            throw error
        }
        await cluster.close()
    }

    /// Runs a CLI to completion; its exit status, stdout and stderr.
    static func run(_ tool: String, _ arguments: [String], in dir: TemporaryDirectory,
                    environment: [String: String] = [:]) async throws -> (status: Int32?, out: String, err: String) {
        let process = try ChildProcess(Binaries.path(tool), arguments, name: tool,
                                       logPath: dir.appending("\(tool)-\(UUID().uuidString.prefix(6)).err").path,
                                       environment: environment)
        let status = await process.waitForExit(timeout: 120)
        // The exit may be seen before the last of stdout is read: wait for its end too.
        _ = await process.waitForOutputEnd(timeout: 120)
        return (status, process.output.joined(separator: "\n"), process.log)
    }

    static func worker(of event: JSONValue) -> String? { event["worker"]?.stringValue }

    // MARK: (a) the worker's owner takes it out of CI and back

    @Test func ownerTurnsWorkerOffAndOnFromItsMachine() async throws {
        let cluster = try await Self.start(config: Self.config(), workers: ["wa", "wb"])
        var restarted: ChildProcess?
        do {
            let master = cluster.master
            let off = try await Self.run("minibot-worker", ["availability", "off", "--reason", "disk swap", cluster.basedir("wa")],
                                         in: cluster.dir)
            #expect(off.status == 0, "stderr: \(off.err)")
            #expect(off.out.hasPrefix("wa: unavailable: ") && off.out.contains("disk swap"), "stdout: \(off.out)")
            #expect(off.out.contains("(worker)"), "stdout: \(off.out)")

            let events = try await master.events()
            for _ in 0..<3 {
                let request = try await master.force("b")
                #expect(Self.worker(of: try await events.buildStarted(request: request)) == "wb")
                _ = try await events.buildFinished(request: request)
            }

            // With the peer out too, the next build waits, and says why.
            _ = try await master.client.post("api/v2/plugins/availability/workers/wb",
                                             .object(["state": .string("unavailable"), "reason": .string("busy elsewhere")]))
            let waiting = try await master.force("b")
            _ = try await events.requestWaiting(waiting, containing: "disk swap")
            #expect(try await master.waitingReasons(waiting).contains { $0.hasPrefix("wa:") && $0.contains("unavailable") && $0.contains("disk swap") })

            // The flag lives on the master: a restarted worker is still out.
            let original = try #require(cluster.workers["wa"])
            await original.stop()
            let sinceRestart = try await master.events()
            restarted = try WorkerFixture.start(name: "wa", password: "pw", master: master.url, directory: cluster.dir.url)
            try await events.workerAttached("wa")  // `events` started after wa's first attach
            // Once wa is back, the waiting request is weighed with it again: still out.
            _ = try await sinceRestart.requestWaiting(waiting, containing: "disk swap")
            let wa = try await master.client.get("api/v2/plugins/availability/workers/wa")
            #expect(wa["state"]?.stringValue == "unavailable", "\(wa)")

            let on = try await Self.run("minibot-worker", ["availability", "on", cluster.basedir("wa")], in: cluster.dir)
            #expect(on.status == 0, "stderr: \(on.err)")
            #expect(on.out.hasPrefix("wa: available"), "stdout: \(on.out)")
            #expect(Self.worker(of: try await events.buildStarted(request: waiting)) == "wa")
            _ = try await events.buildFinished(request: waiting)
        } catch {
            await cluster.close(also: [restarted])
            throw error
        }
        await cluster.close(also: [restarted])
    }

    // MARK: (b) an advisory worker is used only when the others are busy

    @Test func advisoryWorkerTakesBuildsOnlyWhenThePeerIsBusy() async throws {
        let gateDir = try TemporaryDirectory("availability-gate")
        defer { gateDir.remove() }
        let gate = gateDir.appending("open").path
        let cluster = try await Self.start(config: Self.config(gate: gate), workers: ["wa", "wb"])
        do {
            let master = cluster.master
            let advisory = try await Self.run("minibot-worker", ["availability", "advisory", "--for", "2h", cluster.basedir("wa")],
                                              in: cluster.dir)
            #expect(advisory.status == 0, "stderr: \(advisory.err)")
            #expect(advisory.out.contains("advisory"), "stdout: \(advisory.out)")

            let events = try await master.events()
            let first = try await master.force("b")
            #expect(Self.worker(of: try await events.buildStarted(request: first)) == "wb")
            let second = try await master.force("b")
            #expect(Self.worker(of: try await events.buildStarted(request: second)) == "wa")
            _ = FileManager.default.createFile(atPath: gate, contents: nil)
            _ = try await events.buildFinished(request: first)
            _ = try await events.buildFinished(request: second)
        } catch {
            _ = FileManager.default.createFile(atPath: gate, contents: nil)
            await cluster.close()
            throw error
        }
        await cluster.close()
    }

    // MARK: (c) load above max_load holds a build; a drop below resume_load starts it

    @Test func loadAboveThresholdHoldsTheBuildUntilItDrops() async throws {
        let loadDir = try TemporaryDirectory("availability-load")
        defer { loadDir.remove() }
        let loadFile = loadDir.appending("loadavg").path
        try "5.0 4.0 3.0 2/100 1234\n".write(toFile: loadFile, atomically: true, encoding: .utf8)
        let plugin = "  availability:\n    workers:\n      wa: {max_load: 3, resume_load: 2}"
        let cluster = try await Self.start(config: Self.config(workers: ["wa"], plugin: plugin), workers: ["wa"],
                                           workerArguments: ["wa": ["--load-file", loadFile, "--status-interval", "200ms"]])
        do {
            let master = cluster.master
            let events = try await master.events()
            let request = try await master.force("b")
            _ = try await events.requestWaiting(request, containing: "load 5.0 > 3.0")
            #expect(try await master.waitingReasons(request).contains { $0.hasPrefix("wa:") && $0.contains("load 5.0 > 3.0") })
            try "1.0 3.0 3.0 2/100 1234\n".write(toFile: loadFile, atomically: true, encoding: .utf8)
            #expect(Self.worker(of: try await events.buildStarted(request: request)) == "wa")
            _ = try await events.buildFinished(request: request)
        } catch {
            await cluster.close()
            throw error
        }
        await cluster.close()
    }

    // MARK: (d) a flag set for a worker that is not connected

    @Test func flagForADisconnectedWorkerAppliesWhenItConnects() async throws {
        let cluster = try await Self.start(config: Self.config(workers: ["wa"]), workers: [])
        var worker: ChildProcess?
        do {
            let master = cluster.master
            let set = try await master.client.post("api/v2/plugins/availability/workers/wa",
                                                   .object(["state": .string("unavailable"), "reason": .string("moving desks")]))
            #expect(set["state"]?.stringValue == "unavailable")
            #expect(set["connected"]?.boolValue == false)

            let events = try await master.events()
            worker = try WorkerFixture.start(name: "wa", password: "pw", master: master.url, directory: cluster.dir.url)
            try await events.workerAttached("wa")
            let request = try await master.force("b")
            _ = try await events.requestWaiting(request, containing: "moving desks")
            #expect(try await master.waitingReasons(request).contains { $0.hasPrefix("wa:") && $0.contains("unavailable") && $0.contains("moving desks") })
            let cleared = try await Self.run("minibot-worker", ["availability", "on", cluster.basedir("wa")], in: cluster.dir)
            #expect(cleared.status == 0, "stderr: \(cleared.err)")
            #expect(Self.worker(of: try await events.buildStarted(request: request)) == "wa")
            _ = try await events.buildFinished(request: request)
        } catch {
            await cluster.close(also: [worker])
            throw error
        }
        await cluster.close(also: [worker])
    }

    // MARK: (e) bad requests, a missing token, no worker running; the master's CLI

    @Test func errorsAreClearAndTheCLIShowsAndSets() async throws {
        let cluster = try await Self.start(config: Self.config(workers: ["wa"]), workers: ["wa"])
        do {
            let master = cluster.master
            let path = "api/v2/plugins/availability/workers/wa"
            let malformed = try await master.client.sendRaw("POST", path, body: Data("{not json".utf8))
            #expect(malformed.status == 400)
            #expect(malformed.json["error"]?.stringValue?.isEmpty == false, "body: \(malformed.text)")
            let badState = try await master.client.sendRaw("POST", path, body: Data(#"{"state": "sleepy"}"#.utf8))
            #expect(badState.status == 400)
            #expect(badState.text.contains("available"), "body: \(badState.text)")
            let anonymous = try await master.anonymous.sendRaw("POST", path, body: Data(#"{"state": "advisory"}"#.utf8))
            #expect(anonymous.status == 401)

            let noToken = try await Self.run("minibot", ["availability", "set", "wa", "unavailable", "--master", master.url],
                                             in: cluster.dir, environment: ["MINIBOT_TOKEN": ""])
            #expect(noToken.status == 2)
            #expect(noToken.err.contains("token"), "stderr: \(noToken.err)")

            let withFor = try await Self.run("minibot", ["availability", "set", "wa", "unavailable", "--reason", "upgrade",
                                                         "--for", "2h", "--master", master.url, "--token", master.token],
                                             in: cluster.dir)
            #expect(withFor.status == 0, "stderr: \(withFor.err)")
            let shown = try await Self.run("minibot", ["availability", "show", "--master", master.url], in: cluster.dir)
            #expect(shown.status == 0, "stderr: \(shown.err)")
            #expect(shown.out.contains("STATE") && shown.out.contains("SET BY") && shown.out.contains("UNTIL"), "stdout: \(shown.out)")
            let row = shown.out.split(separator: "\n").first { $0.hasPrefix("wa ") }
            let line = try #require(row.map(String.init), "stdout: \(shown.out)")
            #expect(line.contains("unavailable") && line.contains("upgrade"), "row: \(line)")

            let withUntil = try await Self.run("minibot", ["availability", "set", "wa", "advisory", "--until", "17:00",
                                                           "--master", master.url, "--token", master.token], in: cluster.dir)
            #expect(withUntil.status == 0, "stderr: \(withUntil.err)")
            let after = try await master.client.get(path)
            #expect(after["state"]?.stringValue == "advisory")
            #expect(after["flag"]?["expires_at"]?.doubleValue != nil)

            // The worker's CLI when no worker runs in that directory.
            let nobody = try await Self.run("minibot-worker", ["availability", "off", cluster.dir.appending("nowhere").path],
                                            in: cluster.dir)
            #expect(nobody.status == 2)
            #expect(nobody.err.contains("no worker is running"), "stderr: \(nobody.err)")
            #expect(nobody.err.split(separator: "\n").count == 1)
        } catch {
            await cluster.close()
            throw error
        }
        await cluster.close()
    }
}
