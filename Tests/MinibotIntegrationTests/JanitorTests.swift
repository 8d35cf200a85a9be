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
}
