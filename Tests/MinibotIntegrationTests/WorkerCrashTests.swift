import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 2: a worker killed mid-build costs a RETRY, never the request. Issue 12: so does a
/// worker that stops answering.
@Suite("A worker killed mid-build", .serialized)
struct WorkerCrashTests {
    @Test("SIGKILL of the worker: the build ends RETRY, the request runs again to SUCCESS on the other worker")
    func workerKilledMidBuild() async throws {
        try await faultMidBuild("worker-kill") { victim in await victim.crash() }
    }

    /// A worker that stops answering (SIGSTOP: its sockets stay open, its kernel still
    /// acknowledges) is dead after three missed heartbeats, at once: the link is detached
    /// without waiting for a close handshake it would never answer, its build ends RETRY and
    /// runs elsewhere, and it gets no new build while stopped.
    @Test("SIGSTOP of the worker past three heartbeats: the link is dropped, the build ends RETRY and runs on the other worker")
    func workerStoppedMidBuild() async throws {
        try await faultMidBuild("worker-stop", extra: "heartbeat: 1s") { victim in victim.signal(SIGSTOP) }
    }

    /// Two workers, one build whose step waits for a file; `fault` hits the worker running it.
    /// Then: the build ends RETRY, the master counts that worker as gone, and the request builds
    /// again, to SUCCESS, on the other worker. A stopped victim is continued at the end.
    private func faultMidBuild(_ name: String, extra: String = "",
                               fault: (ChildProcess) async -> Void) async throws {
        try await Scene.run(name) { scene in
            // Only the first attempt waits: the retry finds the file made after the fault.
            let gate = scene.path("gate")
            let builders = """
              - name: b
                workers: [w1, w2]
                steps:
                  - shell: {name: wait, command: "echo waiting on $(hostname); \(waitForFileCommand(gate)); echo released"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1", "w2"], builders: builders,
                                                             builderNames: ["b"], extra: extra))
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
            await fault(victim)
            defer { if victim.isRunning { victim.signal(SIGCONT) } }

            let retried = try await events.wait("the first build to end") {
                $0["type"]?.stringValue == "build_finished" && MasterFixture.buildID($0) == firstBuild
            }
            #expect(retried["results_name"]?.stringValue == "RETRY")
            let gone = try await master.client.get("api/v2/workers/\(victimName)")
            #expect(gone["workers"]?.arrayValue.first?["connected"]?.boolValue == false,
                    "the worker still counts as connected: \(gone)")
            touch(gate)
            let second = try await events.wait("a second build of the request to start") {
                $0["type"]?.stringValue == "build_started" && $0["buildrequestid"]?.intValue == Int(request)
                    && MasterFixture.buildID($0) != firstBuild
            }
            #expect(second["worker"]?.stringValue != victimName)
            let finished = try await events.wait("the retried build to finish") {
                $0["type"]?.stringValue == "build_finished" && MasterFixture.buildID($0) == MasterFixture.buildID(second)
            }
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            #expect(try await master.build(firstBuild)["results_name"]?.stringValue == "RETRY")
            let r = try #require(try await master.request(request))
            #expect(r["complete"]?.boolValue == true && r["results_name"]?.stringValue == "SUCCESS")
        }
    }
}
