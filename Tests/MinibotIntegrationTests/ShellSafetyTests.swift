import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 12: nothing from outside reaches a shell unquoted, and branches and revisions must
/// look like git's before the master takes them.
@Suite("Values from outside and the shell", .serialized)
struct ShellSafetyTests {
    static func config(command: String) -> String {
        masterConfig(workers: ["w1"], builders: """
          - name: b
            workers: [w1]
            properties: {greeting: hello}
            steps:
              - shell: {name: echo, command: \(command)}
        """, builderNames: ["b"])
    }

    @Test("the change hook refuses a revision or branch that is no git name, with a JSON reason; nothing is recorded")
    func hookRefusesShellRevisions() async throws {
        try await Scene.run("hook-refs") { scene in
            let master = try await scene.master(Self.config(command: "\"true\""))
            let cases: [[String: String]] = [
                ["revision": "x;touch${IFS}PWNED", "branch": "main"],
                ["revision": "$(touch PWNED)", "branch": "main"],
                ["revision": "abc123", "branch": "a..b"],
                ["revision": "abc123", "branch": "-rf"],
                ["revision": "abc123", "branch": "x y"],
            ]
            for fields in cases {
                let body = try JSONSerialization.data(withJSONObject: fields)
                let answer = try await master.anonymous.sendRaw("POST", "change_hook/base", body: body)
                #expect(answer.status == 400, "\(fields) → \(answer.status) \(answer.text)")
                let reason = answer.json["error"]?.stringValue ?? ""
                #expect(reason.contains(fields["branch"] == "main" ? "revision" : "branch"), "\(reason)")
            }
            #expect(try await master.changes().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: scene.dir.appending("master/PWNED").path))
        }
    }

    @Test("a forced property with shell syntax reaches `echo %(prop:x)s` as literal text; bad refs get 400")
    func forcedPropertyIsLiteral() async throws {
        try await Scene.run("force-quote") { scene in
            let master = try await scene.master(Self.config(command: "\"echo %(prop:greeting)s %(prop:x)s\""))
            try await scene.workers(["w1"], master: master)
            let value = "a;touch PWNED1 $(touch PWNED2) `touch PWNED3` 'q\" && touch PWNED4 #"
            let events = try await master.events()
            let request = try await master.force("b", properties: ["x": value])
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            let log = try await master.log(build: MasterFixture.buildID(finished), step: 0)
            #expect(log.contains("hello \(value)\n"), "\(log)")
            let buildDir = scene.buildDirectory(worker: "w1", builder: "b")
            let made = (try? FileManager.default.contentsOfDirectory(atPath: buildDir.path)) ?? []
            #expect(!made.contains { $0.hasPrefix("PWNED") }, "\(made)")

            for body: JSONValue in [.object(["branch": .string("a..b")]), .object(["revision": .string("x;touch${IFS}PWNED")])] {
                let answer = try await master.client.sendRaw("POST", "api/v2/builders/b/force",
                                                             body: try JSONEncoder().encode(body))
                #expect(answer.status == 400, "\(body) → \(answer.status) \(answer.text)")
                #expect(answer.json["error"]?.stringValue != nil)
            }
        }
    }

    @Test("a value from outside inside backticks, where no quoting is safe: the step does not run and ends EXCEPTION")
    func unsafePlacementIsRefused() async throws {
        try await Scene.run("force-backticks") { scene in
            let master = try await scene.master(Self.config(command: "\"echo `echo %(prop:x)s`\""))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b", properties: ["x": "$(touch PWNED)"])
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "EXCEPTION")
            let log = try await master.log(build: MasterFixture.buildID(finished), step: 0)
            #expect(log.contains("step not run") && log.contains("backticks"), "\(log)")
        }
    }
}
