import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 2: the `minibot` CLI as a user runs it (`force --wait`, `checkconfig`), and the
/// admin token guarding every write.
@Suite("The minibot command line and the admin token", .serialized)
struct CommandLineTests {
    static let builders = """
      - name: good
        workers: [w1]
        steps:
          - shell: {name: greet, command: "echo hi"}
      - name: bad
        workers: [w1]
        steps:
          - shell: {name: greet, command: "echo hi"}
          - shell: {name: broken, command: "exit 7"}
    """

    @Test("force --wait prints the build number, step results and result; exit 0 on SUCCESS, 1 on FAILURE")
    func forceWait() async throws {
        try await Scene.run("cli-force") { scene in
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: Self.builders, builderNames: ["good", "bad"]))
            try await scene.workers(["w1"], master: master)

            let good = try await scene.cli(["force", "good", "--wait", "--master", master.url, "--token", master.token])
            #expect(good.status == 0, "\(good.text)\n\(good.stderr)")
            #expect(good.text.contains("#1"), "\(good.text)")
            #expect(good.text.contains("greet: SUCCESS"), "\(good.text)")
            #expect(good.text.contains("result: SUCCESS"), "\(good.text)")

            let bad = try await scene.cli(["force", "bad", "--wait", "--master", master.url],
                                          environment: ["MINIBOT_TOKEN": master.token])
            #expect(bad.status == 1, "\(bad.text)\n\(bad.stderr)")
            #expect(bad.text.contains("broken: FAILURE"), "\(bad.text)")
            #expect(bad.text.contains("result: FAILURE"), "\(bad.text)")
        }
    }

    @Test("checkconfig on a bad file: exit 1 and file:line:column: message for every error")
    func checkconfigBadFile() async throws {
        try await Scene.run("cli-check") { scene in
            let file = scene.dir.appending("master.cfg")
            try """
            title: broken
            www: {port: 0}
            workers:
              - {name: w1, password: pw, max_bulds: 1}
            builders:
              - name: b
                workers: [nobody]
                steps:
                  - shell: {command: "true", timeout: soon}
            """.write(to: file, atomically: true, encoding: .utf8)
            let run = try await scene.cli(["checkconfig", file.path])
            #expect(run.status == 1)
            let all = run.text + "\n" + run.stderr
            let located = all.split(separator: "\n").filter { $0.hasPrefix(file.path + ":") }
            #expect(located.count >= 3, "expected one located line per error, got:\n\(all)")
            for line in located {
                let parts = line.dropFirst(file.path.count + 1).split(separator: ":", maxSplits: 2)
                #expect(parts.count == 3 && Int(parts[0]) != nil && Int(parts[1]) != nil, "not file:line:column: message: \(line)")
            }
            #expect(all.contains("max_bulds"))
            #expect(all.contains("nobody"))

            let ok = scene.dir.appending("ok.cfg")
            try masterConfig(workers: ["w1"], builders: Self.builders, builderNames: ["good", "bad"])
                .write(to: ok, atomically: true, encoding: .utf8)
            let good = try await scene.cli(["checkconfig", ok.path])
            #expect(good.status == 0, "\(good.text)\n\(good.stderr)")
        }
    }

    @Test("writes without the token: 401 and nothing changes; the CLI without a token exits 2 and says why")
    func writesNeedTheToken() async throws {
        try await Scene.run("cli-token") { scene in
            let gate = scene.path("gate")
            let builders = """
              - name: good
                workers: [w1]
                steps:
                  - shell: {name: wait, command: "\(waitForFileCommand(gate))"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["good"]))
            try await scene.workers(["w1"], master: master)

            for client in [master.anonymous, MinibotClient(baseURL: master.url, token: "wrong")] {
                let answer = try await client.sendRaw("POST", "api/v2/builders/good/force", body: Data("{}".utf8))
                #expect(answer.status == 401, "\(answer.text)")
            }
            #expect(try await master.requests().isEmpty)

            // A running build cannot be stopped without the token either.
            let events = try await master.events()
            let request = try await master.force("good")
            let buildID = MasterFixture.buildID(try await events.buildStarted(request: request))
            let stop = try await master.anonymous.sendRaw("POST", "api/v2/builds/\(buildID)/stop", body: nil)
            #expect(stop.status == 401)
            let pause = try await master.anonymous.sendRaw("POST", "api/v2/workers/w1/pause", body: nil)
            #expect(pause.status == 401)
            #expect(try await master.build(buildID)["complete"]?.boolValue == false)

            let run = try await scene.cli(["force", "good", "--master", master.url])
            #expect(run.status == 2, "\(run.text)\n\(run.stderr)")
            #expect(run.stderr.lowercased().contains("token"), "the message should say a token is needed: \(run.stderr)")
            #expect(try await master.requests().count == 1)

            touch(gate)
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
        }
    }
}
