import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 2: the distributor honours max_builds, says why a request waits, and stop-build
/// cancels a build and kills its processes.
@Suite("Distribution and cancellation", .serialized)
struct DistributionTests {
    @Test("max_builds 2: two builds run at once, the third waits with a reason, then runs")
    func maxBuilds() async throws {
        try await Scene.run("maxbuilds") { scene in
            let gate = scene.path("gate")
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: wait, command: "\(waitForFileCommand(gate))"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], maxBuilds: 2, builders: builders, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let requests = [try await master.force("b"), try await master.force("b"), try await master.force("b")]
            _ = try await events.buildStarted(request: requests[0])
            _ = try await events.buildStarted(request: requests[1])
            try await eventually("the third request to say why it waits") {
                !(try await master.waitingReasons(requests[2])).isEmpty
            }
            let reasons = try await master.waitingReasons(requests[2])
            #expect(reasons.contains { $0.contains("busy") || $0.contains("max_builds") }, "\(reasons)")
            let w1 = try await master.client.get("api/v2/workers/w1")
            #expect(w1["workers"]?.arrayValue.first?["running_builds"]?.arrayValue.count == 2)
            let seen = await events.events
            #expect(!seen.contains { $0["type"]?.stringValue == "build_started" && $0["buildrequestid"]?.doubleValue == Double(requests[2]) })
            touch(gate)
            for r in requests {
                #expect(try await events.buildFinished(request: r)["results_name"]?.stringValue == "SUCCESS")
            }
        }
    }

    @Test("a request with no connected worker shows `no worker connected`, and starts when one attaches")
    func noWorkerConnected() async throws {
        try await Scene.run("noworker") { scene in
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: hi, command: "echo hi"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"]))
            let events = try await master.events()
            let request = try await master.force("b")
            try await eventually("a waiting reason") { !(try await master.waitingReasons(request)).isEmpty }
            let reasons = try await master.waitingReasons(request)
            #expect(reasons.contains { $0.contains("no worker connected") }, "\(reasons)")
            try await scene.workers(["w1"], master: master)
            #expect(try await events.buildFinished(request: request)["results_name"]?.stringValue == "SUCCESS")
        }
    }

    @Test("stop-build: the build ends CANCELLED and the step's processes are gone")
    func stopBuild() async throws {
        try await Scene.run("stop") { scene in
            let pidFile = scene.path("sleep.pid")
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: sleepy, command: "sleep 600 & echo $! > '\(pidFile).tmp'; mv '\(pidFile).tmp' '\(pidFile)'; wait"}
                  - shell: {name: after, command: "echo never"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            let buildID = MasterFixture.buildID(try await events.buildStarted(request: request))
            try await eventually("the step to write its pid") { FileManager.default.fileExists(atPath: pidFile) }
            let pid = try #require(Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(Self.isAlive(pid))

            let run = try await scene.cli(["stop-build", String(buildID), "--master", master.url, "--token", master.token])
            #expect(run.status == 0, "\(run.stderr)")
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "CANCELLED")
            let build = try await master.build(buildID)
            let steps = build["steps"]?.arrayValue ?? []
            #expect(steps.first?["results_name"]?.stringValue == "CANCELLED")
            #expect(!steps.contains { $0["name"]?.stringValue == "after" && $0["results_name"]?.stringValue == "SUCCESS" })
            try await eventually("the step's sleep \(pid) to be killed") { !Self.isAlive(pid) }
        }
    }

    /// Alive and not a zombie (in a container nobody may reap the killed orphan at once).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
        return !status.contains("State:\tZ") && !status.contains("State:\tX")
    }
}
