import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 12: a web page elsewhere cannot use a browser that reaches the master, and the
/// change hook is safe without a secret.
@Suite("Cross-site requests and the change hook's defaults", .serialized)
struct CrossSiteTests {
    static let config = masterConfig(workers: ["w1"], builders: """
      - name: b
        workers: [w1]
        steps:
          - shell: {command: "true"}
    """, builderNames: ["b"])

    @Test("without a secret: a plain form post is refused 403; a JSON body or X-Minibot-Event passes")
    func hookWithoutSecret() async throws {
        try await Scene.run("hook-default") { scene in
            let master = try await scene.master(Self.config)
            let client = master.anonymous
            let form = Data("revision=abc1234&branch=main".utf8)
            let type = "application/x-www-form-urlencoded"
            let simple = try await client.sendRaw("POST", "change_hook/base", body: form, contentType: type)
            #expect(simple.status == 403, "\(simple.text)")
            #expect(simple.json["error"]?.stringValue?.contains("X-Minibot-Event") == true, "\(simple.text)")
            for type in [type, "text/plain", "multipart/form-data; boundary=x"] {
                let answer = try await client.sendRaw("POST", "change_hook/poller", body: Data("poller=x".utf8), contentType: type)
                #expect(answer.status == 403, "\(type): \(answer.text)")
            }
            #expect(try await master.changes().isEmpty)

            let marked = try await client.sendRaw("POST", "change_hook/base", body: form, contentType: type,
                                                  headers: [("X-Minibot-Event", "change")])
            #expect(marked.status == 200, "\(marked.text)")
            let json = try await client.sendRaw("POST", "change_hook/base",
                                                body: Data(#"{"revision": "abc5678", "branch": "main"}"#.utf8))
            #expect(json.status == 200, "\(json.text)")
            // Addressed to another name than a loopback one (DNS rebinding): refused.
            let rebound = try await client.sendRaw("POST", "change_hook/base",
                                                   body: Data(#"{"revision": "abc9999", "branch": "main"}"#.utf8),
                                                   headers: [("Host", "evil.example:\(master.port)")])
            #expect(rebound.status == 403, "\(rebound.text)")
            #expect(try await master.changes().count == 2)
        }
    }

    @Test("a state-changing request with another site's Origin is refused 403, even with the admin token")
    func foreignOrigin() async throws {
        try await Scene.run("origin") { scene in
            let master = try await scene.master(Self.config)
            let evil = [("Origin", "http://evil.example")]
            let force = try await master.client.sendRaw("POST", "api/v2/builders/b/force", body: Data("{}".utf8), headers: evil)
            #expect(force.status == 403, "\(force.text)")
            #expect(force.json["error"]?.stringValue?.contains("cross-origin") == true)
            let hook = try await master.client.sendRaw("POST", "change_hook/base",
                                                       body: Data(#"{"revision": "abc1234", "branch": "main"}"#.utf8),
                                                       headers: evil)
            #expect(hook.status == 403)
            let pause = try await master.client.sendRaw("POST", "api/v2/workers/w1/pause", body: nil, headers: evil)
            #expect(pause.status == 403)
            let null = try await master.client.sendRaw("POST", "api/v2/builders/b/force", body: Data("{}".utf8),
                                                       headers: [("Origin", "null")])
            #expect(null.status == 403)
            #expect(try await master.requests().isEmpty)
            #expect(try await master.changes().isEmpty)

            // Reads stay open; the master's own origin (its web page) may write.
            let read = try await master.client.sendRaw("GET", "api/v2/builders", body: nil, headers: evil)
            #expect(read.status == 200)
            let own = try await master.client.sendRaw("POST", "api/v2/builders/b/force", body: Data("{}".utf8),
                                                      headers: [("Origin", master.url)])
            #expect(own.status == 200, "\(own.text)")
        }
    }

    @Test("DIR/change_hook.secret, as create-master writes it, is the hook's secret; the post-receive hook signs with it")
    func secretFile() async throws {
        try await Scene.run("hook-secret-file") { scene in
            let git = try scene.git()
            try git.commit(["a.txt": "one\n"], message: "first")
            try git.push("main")
            let master = try await scene.master(Self.config.replacingOccurrences(of: "builders:\n", with: """
            change_sources:
              - git_poller: {name: repo, repository: \(git.remotePath), branches: [main], poll_interval: 10m}
            builders:

            """))
            let secretPath = master.directory.appendingPathComponent("change_hook.secret").path
            try "file-secret\n".write(toFile: secretPath, atomically: true, encoding: .utf8)
            let body = Data(#"{"revision": "abc1234", "branch": "main"}"#.utf8)
            #expect(try await master.anonymous.sendRaw("POST", "change_hook/base", body: body).status == 403)
            let withSecret = try await master.anonymous.sendRaw("POST", "change_hook/base", body: body,
                                                                headers: [("X-Minibot-Secret", "file-secret")])
            #expect(withSecret.status == 200, "\(withSecret.text)")

            // The first poll only records the heads; done here, the push's poll finds the new commit.
            _ = try await master.anonymous.postForm("change_hook/poller", [("poller", "repo")],
                                                    headers: [("X-Minibot-Secret", "file-secret")])
            try git.installPostReceiveHook(master: master.url, poller: "repo")
            try git.git("-C", git.remotePath, "config", "minibot.secretfile", secretPath)
            let events = try await master.events()
            try git.commit(["a.txt": "two\n"], message: "second")
            try git.push("main")
            // Only a poll the master accepted can record the pushed commit.
            let change = try await events.wait("the pushed commit recorded") { $0["type"]?.stringValue == "change" }
            #expect(change["branch"]?.stringValue == "main")
        }
    }
}
