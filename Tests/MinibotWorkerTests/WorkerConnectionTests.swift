import Foundation
import Logging
import MinibotCore
import MinibotProtocol
import Testing
@testable import MinibotWorker

/// A real worker against a test-local WebSocket master on 127.0.0.1.
@Suite("Worker link", .serialized)
struct WorkerConnectionTests {
    /// Runs a worker against a fresh test master; stops both afterwards.
    func withWorker(reconnect: ReconnectBackoff.Configuration = .init(initial: .milliseconds(20), maximum: .milliseconds(200)),
                    statusInterval: Duration = .seconds(3600), loadFile: String? = nil,
                    _ body: (TestMaster, MasterProbe, Worker, Task<Void, any Error>, TempDirectory) async throws -> Void)
        async throws {
        let dir = try TempDirectory()
        let master = TestMaster()
        try await master.start()
        var logger = Logger(label: "test-worker")
        logger.logLevel = .critical  // refusals and lost links are the point of some tests, not noise to read
        let worker = Worker(configuration: .init(masterURL: master.url, name: "w1", password: "secret", basedir: dir.path,
                                                 statusInterval: statusInterval, agentSocket: "/run/minibot-agent.sock",
                                                 loadFile: loadFile, reconnect: reconnect),
                            logger: logger)
        let run = Task { try await worker.run() }
        defer {
            run.cancel()
            master.stop()
            dir.remove()
        }
        try await body(master, MasterProbe(master), worker, run, dir)
        run.cancel()
        _ = try await withTimeout(30, "the worker to stop") { try await run.value }
    }

    func start(_ script: String, build: Int64 = 1, step: Int = 0) -> MasterMessage {
        .startStep(.init(buildID: build, step: step, builder: "b", name: "s", workdir: "b/build",
                         action: .shell(.script(script)), timeout: 120))
    }

    @Test func helloWelcomeStepAndReconnect() async throws {
        try await withWorker { master, probe, _, _, _ in
            let (conn, hello) = try await probe.hello()
            #expect(hello.name == "w1" && hello.password == "secret")
            #expect(hello.protocolVersion == WorkerWire.version)
            #expect(hello.info.facts["agent"] == "/run/minibot-agent.sock")
            #expect(hello.info.cpus >= 1 && !hello.info.hostname.isEmpty && hello.info.version.contains("minibot"))
            try await master.send(.welcome(heartbeat: 30), to: conn)

            try await master.send(start("echo to-out; echo to-err >&2; exit 3", build: 5, step: 1), to: conn)
            let out = try await probe.output(from: conn, containing: "to-out")
            #expect(out.stream == .stdout && out.buildID == 5 && out.step == 1)
            let err = try await probe.output(from: conn, containing: "to-err")
            #expect(err.stream == .stderr)
            let finished = try await probe.stepFinished(from: conn)
            #expect(finished == .init(buildID: 5, step: 1, result: .failure, exitCode: 3))

            // The master drops the link: the worker comes back with a new hello.
            try await master.close(conn)
            let (second, _) = try await probe.hello()
            #expect(second != conn)
        }
    }

    @Test func refusedWorkerBacksOffAtLeastOneSecond() async throws {
        try await withWorker(reconnect: .init()) { master, probe, worker, run, _ in
            let events = worker.events
            let (conn, _) = try await probe.hello()
            try await master.send(.refused(reason: "wrong password for worker w1"), to: conn)
            let (reason, delay) = try await withTimeout(30, "refused and retrying events") {
                var reason: String?
                for await event in events {
                    switch event {
                    case .refused(let why): reason = why
                    case .retrying(let after) where reason != nil: return (reason!, after)
                    default: continue
                    }
                }
                throw TestFailure("events ended")
            }
            #expect(reason == "wrong password for worker w1")
            #expect(delay >= .seconds(1))
        }
    }

    @Test func interruptCancelsARunningStep() async throws {
        try await withWorker { master, probe, _, _, _ in
            let (conn, _) = try await probe.hello()
            try await master.send(.welcome(heartbeat: 30), to: conn)
            try await master.send(start("echo started; sleep 300", build: 9, step: 3), to: conn)
            _ = try await probe.output(from: conn, containing: "started")
            try await master.send(.interrupt(buildID: 9, step: 3, reason: "stopped by alice"), to: conn)
            let finished = try await probe.stepFinished(from: conn)
            #expect(finished.result == .cancelled)
            #expect(finished.reason == "interrupted: stopped by alice")
        }
    }

    @Test func droppedLinkKillsRunningSteps() async throws {
        try await withWorker { master, probe, _, _, dir in
            let (conn, _) = try await probe.hello()
            try await master.send(.welcome(heartbeat: 30), to: conn)
            let pidFile = dir.file("leader.pid")
            try await master.send(start("echo $$ > '\(pidFile)'; echo started; sleep 300"), to: conn)
            _ = try await probe.output(from: conn, containing: "started")
            let leader = try #require(readPID(pidFile))
            try await master.close(conn)
            try await waitForExit(of: leader, "the step's shell to be killed")
            _ = try await probe.hello()
        }
    }

    @Test func gracefulShutdownFinishesTheStepThenStops() async throws {
        try await withWorker { master, probe, worker, run, dir in
            let (conn, _) = try await probe.hello()
            try await master.send(.welcome(heartbeat: 30), to: conn)
            let gate = dir.file("gate")
            try await master.send(start("echo waiting; while [ ! -e '\(gate)' ]; do sleep 0.02; done; echo done"), to: conn)
            _ = try await probe.output(from: conn, containing: "waiting")
            try await master.send(.shutdown(graceful: true), to: conn)
            // A step sent while draining is refused, not run.
            try await master.send(start("echo never", build: 2), to: conn)
            let refused = try await probe.stepFinished(from: conn)
            #expect(refused.buildID == 2 && refused.result == .exception)
            _ = FileManager.default.createFile(atPath: gate, contents: nil)
            let finished = try await probe.stepFinished(from: conn)
            #expect(finished.result == .success)
            _ = try await withTimeout(30, "run() to return after the graceful shutdown") { try await run.value }
        }
    }

    @Test func immediateShutdownKillsTheStepAndStops() async throws {
        try await withWorker { master, probe, _, run, dir in
            let (conn, _) = try await probe.hello()
            try await master.send(.welcome(heartbeat: 30), to: conn)
            let pidFile = dir.file("leader.pid")
            try await master.send(start("echo $$ > '\(pidFile)'; echo started; sleep 300"), to: conn)
            _ = try await probe.output(from: conn, containing: "started")
            let leader = try #require(readPID(pidFile))
            try await master.send(.shutdown(graceful: false), to: conn)
            _ = try await withTimeout(30, "run() to return after shutdown") { try await run.value }
            try await waitForExit(of: leader, "the step's shell to be killed")
        }
    }

    /// What SIGTERM does through the service group: cancellation kills running steps.
    @Test func cancellingTheWorkerKillsRunningSteps() async throws {
        try await withWorker { master, probe, _, run, dir in
            let (conn, _) = try await probe.hello()
            try await master.send(.welcome(heartbeat: 30), to: conn)
            let pidFile = dir.file("leader.pid")
            try await master.send(start("echo $$ > '\(pidFile)'; echo started; sleep 300"), to: conn)
            _ = try await probe.output(from: conn, containing: "started")
            let leader = try #require(readPID(pidFile))
            run.cancel()
            _ = try await withTimeout(30, "run() to return after cancellation") { try await run.value }
            try await waitForExit(of: leader, "the step's shell to be killed")
        }
    }

    @Test func pluginMessagesBothWaysAndPings() async throws {
        try await withWorker { master, probe, worker, _, _ in
            let messages = await worker.pluginMessages(named: "availability")
            let events = worker.events
            let (conn, _) = try await probe.hello()
            try await master.send(.welcome(heartbeat: 30), to: conn)
            try await withTimeout(30, "the worker to be welcomed") {
                for await event in events {
                    if case .welcomed = event { return }
                }
                throw TestFailure("events ended")
            }
            #expect(await worker.isConnected)

            try await master.send(.ping, to: conn)
            try await probe.next("pong") { event in
                if case .received(conn, .pong) = event { return () }
                return nil
            }

            try await master.send(.plugin(name: "other", payload: .string("not for us")), to: conn)
            try await master.send(.plugin(name: "availability", payload: .object(["slot": .number(1)])), to: conn)
            let payload = try await withTimeout(30, "the plugin payload") {
                for await payload in messages { return payload }
                throw TestFailure("plugin stream ended")
            }
            #expect(payload == .object(["slot": .number(1)]))

            #expect(await worker.sendPlugin(name: "availability", payload: .string("claim")))
            let (name, sent) = try await probe.next("plugin from the worker") { event in
                if case .received(conn, .plugin(let name, let payload)) = event { return (name, payload) }
                return nil
            }
            #expect(name == "availability" && sent == .string("claim"))
        }
    }

    @Test func statusReportsTheLoadFile() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let loadFile = dir.file("loadavg")
        try "4.25 3.00 2.00 3/400 1234\n".write(toFile: loadFile, atomically: true, encoding: .utf8)
        try await withWorker(statusInterval: .milliseconds(50), loadFile: loadFile) { master, probe, _, _, _ in
            let (conn, _) = try await probe.hello()
            try await master.send(.welcome(heartbeat: 30), to: conn)
            let status = try await probe.next("status") { event in
                if case .received(conn, .status(let status)) = event { return status }
                return nil
            }
            #expect(status.load1 == 4.25 && status.load5 == 3.0)
        }
    }

    @Test func silentMasterIsDroppedAfterThreeMissedPongs() async throws {
        try await withWorker { master, probe, worker, _, _ in
            let events = worker.events
            let (conn, _) = try await probe.hello()
            // A tiny heartbeat and a master that never answers pings.
            try await master.send(.welcome(heartbeat: 0.02), to: conn)
            let reason = try await withTimeout(30, "the link to be declared dead") {
                for await event in events {
                    if case .disconnected(let why) = event { return why }
                }
                throw TestFailure("events ended")
            }
            #expect(reason == "no answer to 3 pings")
            _ = try await probe.hello()
        }
    }
}
