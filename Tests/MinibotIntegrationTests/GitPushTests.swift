import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 3 end to end: a real `git push` to a bare repository with contrib's post-receive
/// hook starts a build that checks out exactly the pushed commit.
@Suite("git push drives builds", .serialized)
struct GitPushTests {
    static func config(repository: String, workers: [String] = ["w1"], extraBuilders: String = "", forced: [String] = ["b"]) -> String {
        masterConfig(workers: workers, builders: """
          - name: b
            workers: [w1]
            steps:
              - git: {repository: \(repository), mode: incremental}
              - shell: {name: show, command: "cat hello.txt"}
              - shell: {name: props, command: "echo rev=%(prop:got_revision)s branch=%(prop:branch)s"}
        \(extraBuilders)
        """, builderNames: forced, extra: """
        change_sources:
          - git_poller: {name: repo, repository: \(repository), branches: [main], poll_interval: 10m}
        """).replacingOccurrences(of: "schedulers:\n", with: """
        schedulers:
          - single_branch: {name: main, branch: main, tree_stable_timer: 0s, builders: [b]}

        """)
    }

    @Test("push → post-receive → poll → build; the log shows the pushed content, got_revision and the sourcestamp match")
    func pushStartsBuild() async throws {
        try await Scene.run("push") { scene in
            let git = try scene.git()
            try git.commit(["hello.txt": "first version\n"], message: "first")
            try git.push("main")
            let master = try await scene.master(Self.config(repository: git.remotePath))
            try await scene.workers(["w1"], master: master)
            // The first poll only records the heads; make sure it is done before pushing.
            try await master.client.postForm("change_hook/poller", [("poller", "repo")])
            #expect(try await master.changes().isEmpty)
            try git.installPostReceiveHook(master: master.url, poller: "repo")

            let events = try await master.events()
            let sha = try git.commit(["hello.txt": "pushed content \(UUID().uuidString)\n"], message: "second")
            let content = try String(contentsOfFile: git.workPath + "/hello.txt", encoding: .utf8)
            try git.push("main")

            let finished = try await events.wait("a build of b to finish") {
                $0["type"]?.stringValue == "build_finished" && $0["builder"]?.stringValue == "b"
            }
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            let buildID = MasterFixture.buildID(finished)
            let build = try await master.build(buildID)
            #expect(build["properties"]?["got_revision"]?.stringValue == sha)
            #expect(build["sourcestamp"]?["revision"]?.stringValue == sha)
            #expect(build["sourcestamp"]?["branch"]?.stringValue == "main")
            #expect(try await master.log(build: buildID, step: 1).contains(content.trimmingCharacters(in: .newlines)))
            // Interpolation of properties set by an earlier step and by the build.
            #expect(try await master.log(build: buildID, step: 2).contains("rev=\(sha) branch=main"))
            let changes = try await master.changes()
            #expect(changes.count == 1)
            #expect(changes.first?["revision"]?.stringValue == sha)
            #expect(changes.first?["files"]?.arrayValue.compactMap(\.stringValue) == ["hello.txt"])
        }
    }

    @Test("two pushes while the only worker is busy: the older request ends SKIPPED, one build of the newest revision")
    func collapse() async throws {
        try await Scene.run("collapse") { scene in
            let gate = scene.path("gate")
            let git = try scene.git()
            try git.commit(["hello.txt": "v0\n"], message: "v0")
            try git.push("main")
            let hold = """
              - name: hold
                workers: [w1]
                steps:
                  - shell: {name: wait, command: "\(waitForFileCommand(gate))"}
            """
            let master = try await scene.master(Self.config(repository: git.remotePath, extraBuilders: hold, forced: ["b", "hold"]))
            try await scene.workers(["w1"], master: master)
            try await master.client.postForm("change_hook/poller", [("poller", "repo")])
            try git.installPostReceiveHook(master: master.url, poller: "repo")
            let events = try await master.events()
            let holding = try await master.force("hold")
            _ = try await events.buildStarted(request: holding)

            let older = try git.commit(["hello.txt": "v1\n"], message: "v1")
            try git.push("main")
            let newer = try git.commit(["hello.txt": "v2\n"], message: "v2")
            try git.push("main")
            // The newest revision's change, then the request the scheduler makes of it.
            let change = try await events.wait("the change for \(newer)") {
                $0["type"]?.stringValue == "change" && $0["revision"]?.stringValue == newer
            }
            let changeSeq = change["seq"]?.doubleValue ?? 0
            _ = try await events.wait("a request after that change") {
                $0["type"]?.stringValue == "requests_submitted" && ($0["seq"]?.doubleValue ?? 0) > changeSeq
            }
            #expect(try await master.requests().contains { $0["sourcestamp"]?["revision"]?.stringValue == newer })
            touch(gate)
            let finished = try await events.wait("a build of b to finish") {
                $0["type"]?.stringValue == "build_finished" && $0["builder"]?.stringValue == "b"
            }
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            let build = try await master.build(MasterFixture.buildID(finished))
            #expect(build["properties"]?["got_revision"]?.stringValue == newer)
            #expect(try await master.log(build: MasterFixture.buildID(finished), step: 1).contains("v2"))

            let requests = try await master.requests().filter { $0["builder"]?.stringValue == "b" }
            let old = try #require(requests.first { $0["sourcestamp"]?["revision"]?.stringValue == older })
            #expect(old["complete"]?.boolValue == true)
            #expect(old["results_name"]?.stringValue == "SKIPPED")
            #expect(try await master.builds("b").count == 1)
        }
    }
}
