import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 15: the rest of the Buildbot-shaped API against a real master and worker: steps,
/// logs and windows of their lines, one request, buildsets, one change, masters, a builder's
/// builds, validated filters, and JSON bodies on every error.
@Suite("Browsing API", .serialized)
struct BrowseAPITests {
    @Test("steps, logs, windows, requests, buildsets, masters and filters answer in Buildbot's shapes")
    func browse() async throws {
        try await Scene.run("browse") { scene in
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: count, command: "for i in 1 2 3 4 5; do echo line-$i; done"}
                  - shell: {name: markup, command: "echo '<b>not bold</b>'"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b", properties: ["k": "<v>"])
            let finished = try await events.buildFinished(request: request)
            let id = MasterFixture.buildID(finished)
            let c = master.client

            let steps = try await c.get("api/v2/builds/\(id)/steps")["steps"]?.arrayValue ?? []
            #expect(steps.map { $0["name"]?.stringValue ?? "" } == ["count", "markup"])
            let one = try await c.get("api/v2/builds/\(id)/steps/1")["steps"]?.arrayValue ?? []
            #expect(one.first?["name"]?.stringValue == "markup")

            let logs = try await c.get("api/v2/builds/\(id)/steps/0/logs")["logs"]?.arrayValue ?? []
            #expect(logs.first?["slug"]?.stringValue == "stdio")
            #expect(logs.first?["complete"]?.boolValue == true)
            let total = logs.first?["num_lines"]?.intValue ?? 0
            #expect(total >= 5)

            // A window of lines: the raw log, split, is the truth.
            let raw = try await master.log(build: id, step: 0).split(separator: "\n", omittingEmptySubsequences: false)
            let window = try await c.get("api/v2/builds/\(id)/steps/0/logs/stdio/contents?offset=1&limit=2")
            let chunk = window["logchunks"]?.arrayValue.first
            #expect(chunk?["firstline"]?.intValue == 1)
            #expect(chunk?["content"]?.stringValue == raw[1...2].map { $0 + "\n" }.joined())

            let req = try await c.get("api/v2/buildrequests/\(request)")["buildrequests"]?.arrayValue.first
            #expect(req?["complete"]?.boolValue == true)
            #expect(req?["properties"]?["k"]?.stringValue == "<v>")
            let bsid = req?["buildsetid"]?.intValue ?? -1
            let sets = try await c.get("api/v2/buildsets")["buildsets"]?.arrayValue ?? []
            #expect(sets.contains { $0["bsid"]?.intValue == bsid && $0["complete"]?.boolValue == true })
            let set = try await c.get("api/v2/buildsets/\(bsid)")["buildsets"]?.arrayValue.first
            #expect(set?["buildrequestids"]?.arrayValue.compactMap(\.intValue) == [Int(request)])

            let masters = try await c.get("api/v2/masters")["masters"]?.arrayValue ?? []
            #expect(masters.count == 1 && masters.first?["active"]?.boolValue == true)

            let mine = try await c.get("api/v2/builders/b/builds")["builds"]?.arrayValue ?? []
            #expect(mine.map { $0["buildid"]?.intValue } == [Int(id)])
            // Numeric ids beside the names; a builder or worker is found by either.
            let builderID = try #require(mine.first?["builderid"]?.intValue)
            let workerID = try #require(mine.first?["workerid"]?.intValue)
            #expect(try await c.get("api/v2/builders/\(builderID)")["builders"]?.arrayValue.first?["name"]?.stringValue == "b")
            #expect(try await c.get("api/v2/builders/\(builderID)/builds")["builds"]?.arrayValue.count == 1)
            let worker = try await c.get("api/v2/workers/\(workerID)")["workers"]?.arrayValue.first
            #expect(worker?["workerid"]?.intValue == workerID && worker?["name"]?.stringValue == mine.first?["workername"]?.stringValue)
            #expect(req?["builderid"]?.intValue == builderID)
            // Steps and logs by Buildbot's global ids.
            let stepList = try await c.get("api/v2/builds/\(id)/steps")["steps"]?.arrayValue ?? []
            let stepID = try #require(stepList.first?["stepid"]?.intValue)
            #expect(try await c.get("api/v2/steps/\(stepID)")["steps"]?.arrayValue.first?["number"]?.intValue == 0)
            let log = try await c.get("api/v2/logs/\(stepID)")["logs"]?.arrayValue.first
            #expect(log?["logid"]?.intValue == stepID && log?["num_lines"]?.intValue ?? 0 > 0)
            let firstChunk = try await c.get("api/v2/logs/\(stepID)/contents?offset=0&limit=5")["logchunks"]?.arrayValue.first
            #expect(firstChunk?["firstline"]?.intValue == 0 && firstChunk?["content"]?.stringValue?.isEmpty == false)
            #expect(try await c.getText("api/v2/logs/\(stepID)/raw").isEmpty == false)
            #expect(try await c.sendRaw("GET", "api/v2/logs/\(stepID + 4000)", body: nil).status == 404)
            #expect(try await c.sendRaw("GET", "api/v2/logs/-1", body: nil).status == 400)
            let running = try await c.get("api/v2/builds?complete=false")["builds"]?.arrayValue ?? []
            #expect(running.isEmpty)
            let done = try await c.get("api/v2/builds?complete=true&results=SUCCESS")["builds"]?.arrayValue ?? []
            #expect(done.count == 1)
            let failed = try await c.get("api/v2/builds?results=failure,exception")["builds"]?.arrayValue ?? []
            #expect(failed.isEmpty)
        }
    }

    @Test("bad query values are 400, unknown paths and missing things 404, all with a JSON error")
    func errorsHaveJSONBodies() async throws {
        try await Scene.run("browse-errors") { scene in
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: one, command: "true"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            let id = MasterFixture.buildID(try await events.buildFinished(request: request))
            let c = master.client

            for path in ["api/v2/builds?limit=abc", "api/v2/builds?complete=maybe", "api/v2/builds?results=GREAT",
                         "api/v2/builds?limit=0", "api/v2/builds?offset=-1", "api/v2/buildrequests?claimed=perhaps",
                         "api/v2/changes?limit=x", "api/v2/builders/b/builds?limit=1e3",
                         "api/v2/builds/\(id)/steps/0/logs/stdio/contents?limit=-5", "api/v2/builds/abc/steps"] {
                let answer = try await c.sendRaw("GET", path, body: nil)
                #expect(answer.status == 400, "\(path) answered \(answer.status)")
                #expect(answer.json["error"]?.stringValue?.isEmpty == false, "\(path) answered \(answer.text)")
            }
            for path in ["api/v2/nothing", "api/v2/builds/\(id)/nothing/here", "api/v2/builds/999999/steps",
                         "api/v2/builds/\(id)/steps/7", "api/v2/builds/\(id)/steps/7/logs/stdio/raw",
                         "api/v2/builds/\(id)/steps/7/logs/stdio/contents", "api/v2/builds/\(id)/steps/0/logs/other",
                         "api/v2/buildrequests/999999", "api/v2/buildsets/999999", "api/v2/changes/999999",
                         "api/v2/builders/nope/builds"] {
                let answer = try await c.sendRaw("GET", path, body: nil)
                #expect(answer.status == 404, "\(path) answered \(answer.status)")
                #expect(answer.json["error"]?.stringValue?.isEmpty == false, "\(path) answered \(answer.text)")
            }
            let post = try await c.sendRaw("POST", "api/v2/no/such/thing", body: Data("{}".utf8))
            #expect(post.status == 404 && post.json["error"] != nil)
        }
    }
}
