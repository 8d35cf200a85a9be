import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 12: a waiting request can be cancelled (Buildbot's cancel); a stop with a body that
/// does not decode changes nothing.
@Suite("Cancelling requests, stopping builds", .serialized)
struct CancelRequestTests {
    static let config = masterConfig(workers: ["w1"], builders: """
      - name: b
        workers: [w1]
        steps:
          - shell: {command: "true"}
    """, builderNames: ["b"])

    @Test("`minibot cancel ID` ends a waiting request CANCELLED with an event; pending no longer lists it; 404, 409, 401")
    func cancelWaitingRequest() async throws {
        try await Scene.run("cancel") { scene in
            let master = try await scene.master(Self.config)  // no worker: requests wait
            let events = try await master.events()
            let request = try await master.force("b")
            let kept = try await master.force("b")
            let tokenFile = master.directory.appendingPathComponent("admin.token").path

            let anonymous = try await master.anonymous.sendRaw("POST", "api/v2/buildrequests/\(request)/cancel", body: nil)
            #expect(anonymous.status == 401)

            let run = try await scene.cli(["cancel", String(request), "--master", master.url, "--token-file", tokenFile])
            #expect(run.status == 0, "\(run.stderr)")
            let cancelled = try await events.wait("request_cancelled") {
                $0["type"]?.stringValue == "request_cancelled" && $0["buildrequestid"]?.intValue == Int(request)
            }
            #expect(cancelled["results"]?.intValue == BuildResult.cancelled.rawValue)
            let record = try #require(try await master.request(request))
            #expect(record["complete"]?.boolValue == true)
            #expect(record["results"]?.intValue == BuildResult.cancelled.rawValue)
            let pending = try await scene.cli(["pending", "--master", master.url])
            #expect(!pending.stdout.contains { $0.hasPrefix("\(request) ") }, "\(pending.text)")
            #expect(pending.stdout.contains { $0.hasPrefix("\(kept) ") }, "\(pending.text)")

            let again = try await master.client.sendRaw("POST", "api/v2/buildrequests/\(request)/cancel", body: nil)
            #expect(again.status == 409)
            #expect(again.json["error"]?.stringValue != nil)
            let unknown = try await master.client.sendRaw("POST", "api/v2/buildrequests/999999/cancel", body: nil)
            #expect(unknown.status == 404)
            #expect(unknown.json["error"]?.stringValue != nil)
            let missing = try await scene.cli(["cancel", "999999", "--master", master.url, "--token-file", tokenFile])
            #expect(missing.status == 1)

            // A started request cannot be cancelled: 409; its build runs to its end.
            try await scene.workers(["w1"], master: master)
            let finished = try await events.buildFinished(request: kept)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            let started = try await master.client.sendRaw("POST", "api/v2/buildrequests/\(kept)/cancel", body: nil)
            #expect(started.status == 409)
            // The cancelled request never ran.
            #expect(try await master.builds("b").count == 1)
        }
    }

    @Test("a stop whose body does not decode gets 400 and the build keeps running")
    func malformedStopBody() async throws {
        try await Scene.run("stop-body") { scene in
            let gate = scene.path("gate")
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: """
              - name: b
                workers: [w1]
                steps:
                  - shell: {command: "\(waitForFileCommand(gate))"}
            """, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            let buildID = MasterFixture.buildID(try await events.buildStarted(request: request))
            for body in ["{\"results\": \"RETRY\"", "not json", "[1, 2]"] {
                let answer = try await master.client.sendRaw("POST", "api/v2/builds/\(buildID)/stop", body: Data(body.utf8))
                #expect(answer.status == 400, "\(body) → \(answer.status) \(answer.text)")
            }
            #expect(try await master.build(buildID)["complete"]?.boolValue == false)
            touch(gate)
            #expect(try await events.buildFinished(request: request)["results_name"]?.stringValue == "SUCCESS")
        }
    }
}
