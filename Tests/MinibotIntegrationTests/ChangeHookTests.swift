import Crypto
import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 3: `POST /change_hook/base` with form and JSON bodies, its 400s, its shared secret,
/// and `minibot sendchange`.
@Suite("The change hook", .serialized)
struct ChangeHookTests {
    static func config(secret: String? = nil) -> String {
        let www = secret.map { "{port: 0, admin_token_file: admin.token, change_hook: {secret: \($0)}}" }
            ?? "{port: 0, admin_token_file: admin.token}"
        return masterConfig(workers: ["w1"], builders: """
          - name: b
            workers: [w1]
            steps:
              - shell: {command: "true"}
        """, builderNames: ["b"], www: www)
    }

    /// What a signed request sends: the hex HMAC-SHA256 of `TIMESTAMP.BODY`.
    static func signature(_ body: Data, timestamp: String, secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).".utf8) + body, using: SymmetricKey(data: Data(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    static func json(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object)
    }

    @Test("form and JSON bodies record changes; missing or malformed fields get 400 and record nothing; sendchange works")
    func bodies() async throws {
        try await Scene.run("hook") { scene in
            let master = try await scene.master(Self.config())
            let client = master.anonymous

            let form = try await client.postForm("change_hook/base", [
                ("revision", "1111111"), ("branch", "main"), ("who", "Ada <ada@example.com>"), ("comments", "from a form"),
                ("files", "a.txt"), ("files", "dir/b.txt"), ("repository", "/srv/repo.git"), ("when_timestamp", "1700000000"),
            ])
            #expect(form["changes"]?.arrayValue.count == 1)
            let body = try Self.json(["revision": "2222222", "branch": "dev", "author": "Bob", "comments": "from json",
                                      "files": ["x.swift"], "project": "p", "category": "c"])
            let json = try await client.sendRaw("POST", "change_hook/base", body: body, contentType: "application/json")
            #expect(json.status == 200, "\(json.text)")

            var changes = try await master.changes()
            let fromForm = try #require(changes.first { $0["revision"]?.stringValue == "1111111" })
            #expect(fromForm["branch"]?.stringValue == "main")
            #expect(fromForm["author"]?.stringValue == "Ada <ada@example.com>")
            #expect(fromForm["comments"]?.stringValue == "from a form")
            #expect(fromForm["files"]?.arrayValue.compactMap(\.stringValue) == ["a.txt", "dir/b.txt"])
            #expect(fromForm["when"]?.doubleValue == 1_700_000_000)
            let fromJSON = try #require(changes.first { $0["revision"]?.stringValue == "2222222" })
            #expect(fromJSON["branch"]?.stringValue == "dev")
            #expect(fromJSON["author"]?.stringValue == "Bob")
            #expect(fromJSON["files"]?.arrayValue.compactMap(\.stringValue) == ["x.swift"])
            #expect(fromJSON["project"]?.stringValue == "p")

            let bad: [(Data, String, String)] = [
                (Data("branch=main".utf8), "application/x-www-form-urlencoded", "revision"),
                (Data("revision=abc".utf8), "application/x-www-form-urlencoded", "branch"),
                (Data("{\"revision\": \"abc\", \"branch\": ".utf8), "application/json", "JSON"),
                (try Self.json(["revision": "abc", "branch": "main", "when_timestamp": "yesterday"]), "application/json", "when_timestamp"),
                (try Self.json(["revision": "abc", "branch": "main", "files": [1, 2]]), "application/json", "files"),
                (Data("revision=a%ZZ&branch=main".utf8), "application/x-www-form-urlencoded", "encoding"),
            ]
            for (data, type, mentions) in bad {
                let answer = try await client.sendRaw("POST", "change_hook/base", body: data, contentType: type,
                                                      headers: [("X-Minibot-Event", "change")])
                #expect(answer.status == 400, "\(String(decoding: data, as: UTF8.self)) → \(answer.status) \(answer.text)")
                #expect(answer.text.contains(mentions), "the message should mention \(mentions): \(answer.text)")
            }
            changes = try await master.changes()
            #expect(changes.count == 2)

            let run = try await scene.cli(["sendchange", "--master", master.url, "--revision", "3333333", "--branch", "main",
                                           "--who", "Carol", "--comments", "from the CLI", "one.txt", "two.txt"])
            #expect(run.status == 0, "\(run.text)\n\(run.stderr)")
            let sent = try #require(try await master.changes().first { $0["revision"]?.stringValue == "3333333" })
            #expect(sent["author"]?.stringValue == "Carol")
            #expect(sent["files"]?.arrayValue.compactMap(\.stringValue) == ["one.txt", "two.txt"])

            let missing = try await scene.cli(["sendchange", "--master", master.url, "--branch", "main"])
            #expect(missing.status == 2)
        }
    }

    @Test("with a secret: none or a wrong one → 403 and nothing recorded; the secret or a fresh timestamped HMAC → 200, once")
    func secret() async throws {
        try await Scene.run("hook-secret") { scene in
            let secret = "s3cret-value"
            let master = try await scene.master(Self.config(secret: secret))
            let client = master.anonymous
            let body = try Self.json(["revision": "4444444", "branch": "main"])
            func post(_ headers: [(String, String)], _ data: Data = body) async throws -> Int {
                try await client.sendRaw("POST", "change_hook/base", body: data, headers: headers).status
            }
            #expect(try await post([]) == 403)
            #expect(try await post([("X-Minibot-Secret", "wrong")]) == 403)
            #expect(try await post([("X-Minibot-Signature", "sha256=" + String(repeating: "0", count: 64))]) == 403)
            let poller = try await client.sendRaw("POST", "change_hook/poller", body: Data("poller=x".utf8),
                                                  contentType: "application/x-www-form-urlencoded")
            #expect(poller.status == 403)
            #expect(try await master.changes().isEmpty)

            #expect(try await post([("X-Minibot-Secret", secret)]) == 200)
            let signed = try Self.json(["revision": "5555555", "branch": "main"])
            let now = String(Int(Date().timeIntervalSince1970))
            let hex = Self.signature(signed, timestamp: now, secret: secret)
            let headers = [("X-Minibot-Timestamp", now), ("X-Minibot-Signature", "sha256=\(hex)")]
            #expect(try await post(headers, signed) == 200)
            // The same signed request again is a replay.
            #expect(try await post(headers, signed) == 403)
            // A signature of another body, or of the body alone (no timestamp), does not pass.
            let other = try Self.json(["revision": "6666666", "branch": "main"])
            #expect(try await post(headers, other) == 403)
            let bodyOnly = HMAC<SHA256>.authenticationCode(for: other, using: SymmetricKey(data: Data(secret.utf8)))
                .map { String(format: "%02x", $0) }.joined()
            #expect(try await post([("X-Minibot-Signature", "sha256=\(bodyOnly)")], other) == 403)
            // A correct signature over a timestamp more than 5 minutes old is refused.
            let old = String(Int(Date().timeIntervalSince1970) - 301)
            #expect(try await post([("X-Minibot-Timestamp", old),
                                    ("X-Minibot-Signature", "sha256=" + Self.signature(other, timestamp: old, secret: secret))],
                                   other) == 403)
            #expect(Set(try await master.changes().compactMap { $0["revision"]?.stringValue }) == ["4444444", "5555555"])

            let noSecret = try await scene.cli(["sendchange", "--master", master.url, "--revision", "7777777", "--branch", "main"])
            #expect(noSecret.status != 0)
            let withSecret = try await scene.cli(["sendchange", "--master", master.url, "--revision", "7777777", "--branch", "main",
                                                  "--secret", secret])
            #expect(withSecret.status == 0, "\(withSecret.stderr)")
        }
    }
}
