import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 2: the master's state lives in SQLite; a stop, or a crash, loses nothing.
@Suite("Master restarts", .serialized)
struct MasterRestartTests {
    static func config(gate: String? = nil) -> String {
        let steps = gate.map { "\n      - shell: {name: wait, command: \"\(waitForFileCommand($0))\"}" } ?? ""
        return masterConfig(workers: ["w1", "nobody"], builders: """
          - name: b
            workers: [w1]
            steps:
              - shell: {name: say, command: "echo persisted-output"}\(steps)
          - name: idle
            workers: [nobody]
            steps:
              - shell: {name: never, command: "true"}
        """, builderNames: ["b", "idle"])
    }

    @Test("SIGTERM then start: builds, steps, logs, changes and pending requests are still there")
    func stopAndStart() async throws {
        try await Scene.run("restart") { scene in
            var master = try await scene.master(Self.config())
            let worker = try await scene.workers(["w1"], master: master)[0]
            let events = try await master.events()
            let request = try await master.force("b")
            let finished = try await events.buildFinished(request: request)
            let buildID = MasterFixture.buildID(finished)
            let pending = try await master.force("idle")
            _ = try await master.client.postForm("change_hook/base", [("revision", "abc123"), ("branch", "main"), ("who", "ada")])
            let before = try await master.build(buildID)

            await master.stop()
            #expect(master.process.exitStatus == 0, "a clean stop exits 0")
            await worker.stop()
            master = try await scene.restartMaster()

            let after = try await master.build(buildID)
            #expect(after["results_name"]?.stringValue == "SUCCESS")
            #expect(after["number"] == before["number"])
            #expect(after["steps"]?.arrayValue.map { $0["results_name"] } == before["steps"]?.arrayValue.map { $0["results_name"] })
            #expect(try await master.log(build: buildID, step: 0).contains("persisted-output"))
            #expect(try await master.changes().contains { $0["revision"]?.stringValue == "abc123" })
            let r = try #require(try await master.request(pending))
            #expect(r["complete"]?.boolValue == false)
            #expect(r["claimed"]?.boolValue == false)
        }
    }

    @Test("SIGKILL mid-build, then start: that build is RETRY and the request runs again")
    func crashMidBuild() async throws {
        try await Scene.run("crash") { scene in
            let gate = scene.path("gate")
            var master = try await scene.master(Self.config(gate: gate))
            try await scene.workers(["w1"], master: master)
            var events = try await master.events()
            let request = try await master.force("b")
            let started = try await events.buildStarted(request: request)
            let firstBuild = MasterFixture.buildID(started)
            _ = try await events.wait("the waiting step to start") {
                $0["type"]?.stringValue == "step_started" && MasterFixture.buildID($0) == firstBuild && $0["step"]?.intValue == 1
            }
            await master.process.crash()
            touch(gate)

            // Same port: the worker reconnects by itself, with its backoff.
            master = try await scene.restartMaster(port: master.port)
            // From the restarted master's first event: the rebuild may finish before this line.
            events = EventFollower.fromBeginning(client: master.client)
            let first = try await master.build(firstBuild)
            #expect(first["results_name"]?.stringValue == "RETRY")
            #expect(first["complete"]?.boolValue == true)
            let finished = try await events.wait("the request to be built again") {
                $0["type"]?.stringValue == "build_finished" && $0["buildrequestid"]?.doubleValue == Double(request)
            }
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            #expect(MasterFixture.buildID(finished) != firstBuild)
        }
    }

    /// Issue 12: a state.sqlite deleted under a running master was not noticed; builds went
    /// on into an unlinked file and the next start silently made a new, empty one.
    @Test("a deleted database: the master says it is unhealthy and starts no new build")
    func deletedDatabase() async throws {
        try await Scene.run("deleted-db") { scene in
            let master = try await scene.master(Self.config())
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            try FileManager.default.removeItem(at: master.directory.appendingPathComponent("state.sqlite"))
            let unhealthy = try await events.wait("the database to be reported unhealthy") {
                $0["type"]?.stringValue == "database_health" && $0["healthy"]?.boolValue == false
            }
            #expect(unhealthy["problem"]?.stringValue?.contains("was deleted") == true)
            let root = try await master.client.get("api/v2/")
            #expect(root["healthy"]?.boolValue == false)
            let request = try await master.force("b")
            let waiting = try await events.wait("the request to wait for the halted master") {
                $0["type"]?.stringValue == "request_waiting" && $0["buildrequestid"]?.doubleValue == Double(request)
            }
            #expect("\(waiting)".contains("master halted"), "\(waiting)")

            // The next start does not make a new, empty database without being told to.
            await master.stop()
            let refused = try await scene.cli(["start", master.directory.path, "--port", "0"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("is missing, but a master has run"), "\(refused)")
            #expect(!FileManager.default.fileExists(atPath: master.directory.appendingPathComponent("state.sqlite").path))
            let fresh = try await MasterFixture.restart(in: master.directory, extraArguments: ["--new-database"])
            scene.track(fresh.process)
            #expect(try await fresh.client.get("api/v2/")["healthy"]?.boolValue == true)
        }
    }
}
