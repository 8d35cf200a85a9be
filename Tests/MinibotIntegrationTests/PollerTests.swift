import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 3: the git poller's semantics, seen through a real master's API. Polls are driven
/// with `POST /change_hook/poller`, which answers once the poll is done.
@Suite("git poller semantics", .serialized)
struct PollerTests {
    static func config(repository: String, missing: String) -> String {
        """
        title: pollers
        www: {port: 0, admin_token_file: admin.token}
        workers:
          - {name: w1, password: pw}
        change_sources:
          - git_poller: {name: repo, repository: \(repository), branches: all, poll_interval: 10m}
          - git_poller: {name: missing, repository: \(missing), branches: all, poll_interval: 10m}
        schedulers:
          - force: {name: force, builders: [b]}
        builders:
          - name: b
            workers: [w1]
            steps:
              - shell: {command: "true"}
        """
    }

    @discardableResult
    static func poll(_ master: MasterFixture, _ name: String) async throws -> JSONValue {
        try await master.client.postForm("change_hook/poller", [("poller", name)])
    }

    static func revisions(_ master: MasterFixture) async throws -> [String] {
        try await master.changes().compactMap { $0["revision"]?.stringValue }
    }

    @Test("first poll silent; new commits, slashes, force-push, deleted branch, restart, a missing repository")
    func pollerSemantics() async throws {
        try await Scene.run("poller") { scene in
            let git = try scene.git()
            let base = try git.commit(["a.txt": "a\n"], message: "base")
            let tip = try git.commit(["a.txt": "b\n"], message: "tip")
            try git.push("main")
            let missing = scene.path("does-not-exist.git")
            var master = try await scene.master(Self.config(repository: git.remotePath, missing: missing))

            // First poll: records the heads, emits nothing.
            try await Self.poll(master, "repo")
            #expect(try await master.changes().isEmpty)

            // A repository that does not exist: the hook's answer and an event say why, the
            // master logs it (before it answers), and the other poller keeps working.
            let events = try await master.events()
            let answer = try await Self.poll(master, "missing")
            #expect(answer["polled"] == .array([.string("missing")]))
            #expect(answer["errors"]?["missing"]?.stringValue?.contains("there is no repository at") == true, "\(answer)")
            let failed = try await events.wait("poll_failed") { $0["type"]?.stringValue == "poll_failed" }
            #expect(failed["poller"]?.stringValue == "missing")
            #expect(master.process.log.contains("poll failed") && master.process.log.contains("does-not-exist"))
            #expect(try await Self.poll(master, "repo")["errors"] == .object([:]))

            // A new commit becomes one change with its details.
            let c1 = try git.commit(["src/x.swift": "let x = 1\n", "a.txt": "c\n"], message: "add x\n\nbody")
            try git.push("main")
            try await Self.poll(master, "repo")
            let changes = try await master.changes()
            #expect(changes.count == 1)
            let change = try #require(changes.first)
            #expect(change["revision"]?.stringValue == c1)
            #expect(change["branch"]?.stringValue == "main")
            #expect(change["author"]?.stringValue?.contains("Ada Lovelace") == true)
            #expect(Set(change["files"]?.arrayValue.compactMap(\.stringValue) ?? []) == ["src/x.swift", "a.txt"])
            #expect(change["comments"]?.stringValue?.hasPrefix("add x") == true)

            // A branch with slashes: only its new commit.
            try git.checkout("feature/deep/name", creating: true)
            let f1 = try git.commit(["f.txt": "f\n"], message: "feature")
            try git.push("feature/deep/name")
            try await Self.poll(master, "repo")
            #expect(try await Self.revisions(master).filter { $0 != c1 } == [f1])
            #expect(try await master.changes().contains { $0["branch"]?.stringValue == "feature/deep/name" })

            // Force-push main back past c1 with a new commit: only the new commit.
            try git.checkout("main")
            try git.resetHard(to: tip)
            let rewritten = try git.commit(["a.txt": "rewritten\n"], message: "rewrite")
            try git.push("main", force: true)
            try await Self.poll(master, "repo")
            #expect(Set(try await Self.revisions(master)) == [c1, f1, rewritten])
            #expect(try await master.changes().count == 3)

            // A deleted branch emits nothing.
            try git.deleteRemoteBranch("feature/deep/name")
            try await Self.poll(master, "repo")
            #expect(try await master.changes().count == 3)

            // A restart does not replay old commits.
            await master.stop()
            master = try await scene.restartMaster()
            try await Self.poll(master, "repo")
            #expect(try await master.changes().count == 3)
            _ = base
        }
    }
}
