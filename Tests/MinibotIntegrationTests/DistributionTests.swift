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
            _ = try await events.requestWaiting(requests[2], containing: "busy")
            let reasons = try await master.waitingReasons(requests[2])
            #expect(reasons.contains { $0.contains("busy (2/2 builds)") }, "\(reasons)")
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
            _ = try await events.requestWaiting(request, containing: "no worker connected")
            let reasons = try await master.waitingReasons(request)
            #expect(reasons.contains { $0.contains("no worker connected") }, "\(reasons)")
            try await scene.workers(["w1"], master: master)
            #expect(try await events.buildFinished(request: request)["results_name"]?.stringValue == "SUCCESS")
        }
    }

    @Test("stop-build: the build ends CANCELLED and the step's processes are gone")
    func stopBuild() async throws {
        try await Scene.run("stop") { scene in
            let pidPipe = scene.path("sleep.pid")
            try Fifo.make(pidPipe)
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: sleepy, command: "sleep 600 & echo $! > '\(pidPipe)'; wait"}
                  - shell: {name: after, command: "echo never"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            let buildID = MasterFixture.buildID(try await events.buildStarted(request: request))
            let written = try #require(await Fifo.read(pidPipe), "the step never wrote its sleep's pid")
            let pid = try #require(Int32(written.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(Self.isAlive(pid))

            let run = try await scene.cli(["stop-build", String(buildID), "--master", master.url, "--token", master.token])
            #expect(run.status == 0, "\(run.stderr)")
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "CANCELLED")
            let build = try await master.build(buildID)
            let steps = build["steps"]?.arrayValue ?? []
            #expect(steps.first?["results_name"]?.stringValue == "CANCELLED")
            #expect(!steps.contains { $0["name"]?.stringValue == "after" && $0["results_name"]?.stringValue == "SUCCESS" })
            #expect(await ProcessExit.wait(for: pid, timeout: 120), "the step's sleep \(pid) was not killed")
        }
    }

    @Test("stop-build --retry: the build ends RETRY and its request runs again")
    func stopBuildToRetry() async throws {
        try await Scene.run("stopretry") { scene in
            let gate = scene.path("gate")
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: wait, command: "\(waitForFileCommand(gate))"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            let first = MasterFixture.buildID(try await events.buildStarted(request: request))

            let bad = try? await master.client.post("api/v2/builds/\(first)/stop", .object(["results": .string("SUCCESS")]))
            #expect(bad == nil, "a stop may only end CANCELLED or RETRY")
            let run = try await scene.cli(["stop-build", String(first), "--retry", "--reason", "free w1 for a moment",
                                           "--master", master.url, "--token", master.token])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.text.contains("it will run again"))
            let ended = try await events.wait("the first build to end") {
                $0["type"]?.stringValue == "build_finished" && $0["buildid"]?.doubleValue == Double(first)
            }
            #expect(ended["results_name"]?.stringValue == "RETRY")
            #expect(try await master.build(first)["state_string"]?.stringValue?.contains("free w1 for a moment") == true)

            // The same request starts again as a new build and, released, succeeds.
            let second = try await events.wait("the request's second build") {
                $0["type"]?.stringValue == "build_started" && $0["buildrequestid"]?.doubleValue == Double(request)
                    && $0["buildid"]?.doubleValue != Double(first)
            }
            touch(gate)
            let finished = try await events.wait("the second build to end") {
                $0["type"]?.stringValue == "build_finished" && $0["buildid"]?.doubleValue == second["buildid"]?.doubleValue
            }
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
        }
    }

    /// Alive and not a zombie (in a container nobody may reap the killed orphan at once).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
        return !status.contains("State:\tZ") && !status.contains("State:\tX")
    }
}
