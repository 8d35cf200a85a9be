import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 2: a worker killed mid-build costs a RETRY, never the request.
@Suite("A worker killed mid-build", .serialized)
struct WorkerCrashTests {
    @Test("SIGKILL of the worker: the build ends RETRY, the request runs again to SUCCESS on the other worker")
    func workerKilledMidBuild() async throws {
        try await Scene.run("worker-kill") { scene in
            // Only the first attempt waits: the retry finds the file made after the kill.
            let gate = scene.path("gate")
            let builders = """
              - name: b
                workers: [w1, w2]
                steps:
                  - shell: {name: wait, command: "echo waiting on $(hostname); \(waitForFileCommand(gate)); echo released"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1", "w2"], builders: builders, builderNames: ["b"]))
            let workers = try await scene.workers(["w1", "w2"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            let started = try await events.buildStarted(request: request)
            let firstBuild = MasterFixture.buildID(started)
            let victimName = started["worker"]?.stringValue ?? ""
            let victim = try #require(workers.first { $0.name == "worker \(victimName)" })
            _ = try await events.wait("step to start") {
                $0["type"]?.stringValue == "step_started" && MasterFixture.buildID($0) == firstBuild
            }
            await victim.crash()

            let retried = try await events.wait("the first build to end") {
                $0["type"]?.stringValue == "build_finished" && MasterFixture.buildID($0) == firstBuild
            }
            #expect(retried["results_name"]?.stringValue == "RETRY")
            touch(gate)
            let second = try await events.wait("a second build of the request to start") {
                $0["type"]?.stringValue == "build_started" && $0["buildrequestid"]?.doubleValue == Double(request)
                    && MasterFixture.buildID($0) != firstBuild
            }
            #expect(second["worker"]?.stringValue != victimName)
            let finished = try await events.wait("the retried build to finish") {
                $0["type"]?.stringValue == "build_finished" && MasterFixture.buildID($0) == MasterFixture.buildID(second)
            }
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            let first = try await master.build(firstBuild)
            #expect(first["results_name"]?.stringValue == "RETRY")
            let r = try #require(try await master.request(request))
            #expect(r["complete"]?.boolValue == true)
            #expect(r["results_name"]?.stringValue == "SUCCESS")
            // The master kept serving, and knows the dead worker is gone.
            let workersJSON = try await master.client.get("api/v2/workers/\(victimName)")
            #expect(workersJSON["workers"]?.arrayValue.first?["connected"]?.boolValue == false)
        }
    }

    /// Issue 12: a worker that stops answering (SIGSTOP: its sockets stay open, its kernel
    /// still acknowledges) is dead after three missed heartbeats, at once: the link is
    /// detached without waiting for a close handshake it would never answer, its build ends
    /// RETRY and runs elsewhere, and it gets no new build while stopped.
    @Test("SIGSTOP of the worker past three heartbeats: the link is dropped, the build ends RETRY and runs on the other worker")
    func workerStoppedMidBuild() async throws {
        try await Scene.run("worker-stop") { scene in
            let gate = scene.path("gate")
            let builders = """
              - name: b
                workers: [w1, w2]
                steps:
                  - shell: {name: wait, command: "\(waitForFileCommand(gate)); echo released"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1", "w2"], builders: builders, builderNames: ["b"],
                                                             extra: "heartbeat: 1s"))
            let workers = try await scene.workers(["w1", "w2"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            let started = try await events.buildStarted(request: request)
            let firstBuild = MasterFixture.buildID(started)
            let victimName = started["worker"]?.stringValue ?? ""
            let victim = try #require(workers.first { $0.name == "worker \(victimName)" })
            _ = try await events.wait("step to start") {
                $0["type"]?.stringValue == "step_started" && MasterFixture.buildID($0) == firstBuild
            }
            victim.signal(SIGSTOP)
            defer { victim.signal(SIGCONT) }

            let retried = try await events.wait("the stopped worker's build to end") {
                $0["type"]?.stringValue == "build_finished" && MasterFixture.buildID($0) == firstBuild
            }
            #expect(retried["results_name"]?.stringValue == "RETRY")
            let detached = try await master.client.get("api/v2/workers/\(victimName)")
            #expect(detached["workers"]?.arrayValue.first?["connected"]?.boolValue == false,
                    "the stopped worker still counts as connected: \(detached)")
            touch(gate)
            let second = try await events.wait("the request to build again") {
                $0["type"]?.stringValue == "build_started" && $0["buildrequestid"]?.intValue == Int(request)
                    && MasterFixture.buildID($0) != firstBuild
            }
            #expect(second["worker"]?.stringValue != victimName)
            let finished = try await events.wait("the second build to finish") {
                $0["type"]?.stringValue == "build_finished" && MasterFixture.buildID($0) == MasterFixture.buildID(second)
            }
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
        }
    }
}
