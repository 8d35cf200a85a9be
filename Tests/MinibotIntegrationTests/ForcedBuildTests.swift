import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 2: a forced build runs real shell steps on a real worker, and the API shows its
/// steps, results, state strings and raw logs, with output streamed while a step runs.
@Suite("Forced builds through the API", .serialized)
struct ForcedBuildTests {
    @Test("steps run in BASEDIR/BUILDER/build; results, state strings and logs are in the API; output streams")
    func forcedBuildRunsRealSteps() async throws {
        try await Scene.run("forced") { scene in
            let gate = scene.path("gate")
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: where, command: "pwd; echo hello-out; echo hello-err >&2"}
                  - shell: {name: stream, command: "echo first-line; \(waitForFileCommand(gate)); echo second-line"}
                  - shell: {name: fails, command: "exit 3", flunk_on_failure: false, warn_on_failure: true, halt_on_failure: false}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            let started = try await events.buildStarted(request: request)
            let buildID = MasterFixture.buildID(started)

            // Streaming: the first line is visible through the API while the step still waits.
            // Each stored batch of output is a `step_log` event: re-read the log on each (once
            // the step exists: a step that has not started has no log, 404).
            _ = try await events.wait("step 1 to start") {
                $0["type"]?.stringValue == "step_started" && $0["buildid"]?.intValue == Int(buildID) && $0["step"]?.intValue == 1
            }
            var lastSeq = 0.0
            while try await !master.log(build: buildID, step: 1).contains("first-line") {
                let after = lastSeq
                let more = try await events.wait("more output of step 1") {
                    $0["type"]?.stringValue == "step_log" && $0["buildid"]?.doubleValue == Double(buildID)
                        && $0["step"]?.doubleValue == 1 && ($0["seq"]?.doubleValue ?? 0) > after
                }
                lastSeq = more["seq"]?.doubleValue ?? after
            }
            let midway = try await master.build(buildID)
            #expect(midway["complete"]?.boolValue == false)
            #expect(midway["steps"]?.arrayValue[safe: 1]?["complete"]?.boolValue == false)
            touch(gate)

            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "WARNINGS")
            let build = try await master.build(buildID)
            #expect(build["results"]?.intValue == BuildResult.warnings.rawValue)
            #expect(build["complete"]?.boolValue == true)
            #expect(build["workername"]?.stringValue == "w1")
            let steps = build["steps"]?.arrayValue ?? []
            #expect(steps.map { $0["name"]?.stringValue ?? "" } == ["where", "stream", "fails"])
            // As in Buildbot, the step itself failed; its flags make the build WARNINGS.
            #expect(steps.map { $0["results_name"]?.stringValue ?? "" } == ["SUCCESS", "SUCCESS", "FAILURE"])
            #expect(steps.allSatisfy { $0["started_at"]?.doubleValue != nil && $0["complete_at"]?.doubleValue != nil })
            #expect(steps.allSatisfy { !($0["state_string"]?.stringValue ?? "").isEmpty })

            let first = try await master.log(build: buildID, step: 0)
            let expectedDir = scene.buildDirectory(worker: "w1", builder: "b").resolvingSymlinksInPath().path
            #expect(first.contains(expectedDir), "the step ran elsewhere: \(first)")
            #expect(first.contains("hello-out"))
            #expect(first.contains("hello-err"))
            let second = try await master.log(build: buildID, step: 1)
            #expect(second.contains("first-line") && second.contains("second-line"))
        }
    }

    @Test("a failing step halts the build: FAILURE, later steps do not run")
    func failingStepHalts() async throws {
        try await Scene.run("halt") { scene in
            let marker = scene.path("ran-after-failure")
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: boom, command: "echo about to fail; exit 1"}
                  - shell: {name: after, command: "touch '\(marker)'"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "FAILURE")
            let build = try await master.build(MasterFixture.buildID(finished))
            let steps = build["steps"]?.arrayValue ?? []
            #expect(steps.first?["results_name"]?.stringValue == "FAILURE")
            #expect(steps.count < 2 || steps[1]["results_name"]?.stringValue == "SKIPPED" || steps[1]["started_at"] == .null)
            #expect(!FileManager.default.fileExists(atPath: marker))
        }
    }

    /// Issue 12: a forced build with priority 2^63-1 was accepted and crashed every worker
    /// that used the host agent. Priorities are 32-bit: beyond is a 400 and nothing is recorded.
    @Test("a priority outside the documented range is a 400 with a reason")
    func priorityOutOfRange() async throws {
        try await Scene.run("priority") { scene in
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: ok, command: "true"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"]))
            for priority in [Double(Int.max), 2_147_483_648] {
                do {
                    _ = try await master.client.post("api/v2/builders/b/force", .object(["priority": .number(priority)]))
                    Issue.record("priority \(priority) was accepted")
                } catch {
                    guard case .http(let status, let message)? = error as? ClientError else { throw error }
                    #expect(status == 400)
                    #expect(message.contains("priority") && message.contains("out of range"), "\(message)")
                }
            }
            #expect(try await master.client.get("api/v2/buildrequests")["buildrequests"]?.arrayValue.isEmpty == true)
            let accepted = try await master.client.post("api/v2/builders/b/force", .object(["priority": .number(2_147_483_647)]))
            #expect(accepted["buildrequestids"] != nil)
        }
    }

    /// Issue 12: a reload refused because the admin token file cannot be read said so only in
    /// the master's log; every refused reload is a `config_rejected` event.
    @Test("a reload refused for an unreadable token file emits config_rejected and keeps serving")
    func reloadWithAMissingTokenFile() async throws {
        try await Scene.run("token-reload") { scene in
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: ok, command: "true"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            try masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"],
                             www: "{port: 0, admin_token_file: missing.token}")
                .write(to: master.directory.appendingPathComponent("master.cfg"), atomically: true, encoding: .utf8)
            master.process.signal(SIGHUP)
            let rejected = try await events.wait("config_rejected") { $0["type"]?.stringValue == "config_rejected" }
            #expect(rejected["errors"]?.stringValue?.contains("missing.token") == true, "\(rejected)")
            let request = try await master.force("b")
            #expect(try await events.buildFinished(request: request)["results_name"]?.stringValue == "SUCCESS")
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
