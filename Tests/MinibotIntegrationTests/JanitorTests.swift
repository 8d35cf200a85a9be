import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// The janitor with a real master: old logs go, the builds stay and say why their log is gone.
@Suite("Janitor")
struct JanitorTests {
    @Test("a build's log is deleted once it is older than log_horizon; the build and its results stay")
    func deletesOldLogs() async throws {
        try await Scene.run("janitor") { scene in
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: hello, command: "echo hello from the build"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"],
                                                             extra: "janitor: {log_horizon: 1s, interval: 1s}"))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            let finished = try await events.buildFinished(request: request)
            let buildID = MasterFixture.buildID(finished)
            // The janitor's next run after the build is a second old.
            let pruned = try await events.wait("the janitor to delete the log") {
                $0["type"]?.stringValue == "logs_pruned"
            }
            #expect(pruned["builds"]?.doubleValue == 1)
            let log = try await master.log(build: buildID, step: 0)
            #expect(log.hasPrefix("log deleted by the janitor on "), "\(log)")
            #expect(!log.contains("hello from the build"))
            let build = try await master.build(buildID)
            #expect(build["results_name"]?.stringValue == "SUCCESS")
            #expect(build["steps"]?.arrayValue.first?["results_name"]?.stringValue == "SUCCESS")
        }
    }

    @Test("builds older than keep_builds are deleted with their requests, steps and logs; a builder's newest build stays")
    func deletesOldBuilds() async throws {
        try await Scene.run("janitor-builds") { scene in
            let builders = """
              - name: b
                collapse_requests: false
                workers: [w1]
                steps:
                  - shell: {name: hello, command: "echo hello from the build"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"],
                                                             extra: "janitor: {keep_builds: 1s, interval: 1s}"))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            var built: [Int64] = []
            for _ in 0..<2 {
                let request = try await master.force("b")
                built.append(MasterFixture.buildID(try await events.buildFinished(request: request)))
            }
            let pruned = try await events.wait("the janitor to delete the old build") {
                $0["type"]?.stringValue == "builds_pruned"
            }
            #expect(pruned["builds"]?.doubleValue == 1, "\(pruned)")
            let left = try await master.client.get("api/v2/builds")["builds"]?.arrayValue ?? []
            #expect(left.compactMap { $0["buildid"]?.intValue }.map(Int64.init) == [built[1]], "\(left)")
            do {
                _ = try await master.build(built[0])
                Issue.record("build \(built[0]) is still there")
            } catch let error as ClientError {
                guard case .http(let status, _) = error else { throw error }
                #expect(status == 404, "\(error)")
            }
            // The newest build keeps its number, so the next is number 3, not a reused 1.
            let next = try await events.buildFinished(request: try await master.force("b"))
            #expect(next["number"]?.intValue == 3, "\(next)")
        }
    }
}
