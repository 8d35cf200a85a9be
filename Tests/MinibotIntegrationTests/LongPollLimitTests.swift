import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 12: long polls and event streams are capped per client address; past the cap, 503
/// with Retry-After, and the refused connection is closed.
@Suite("Bounded long polls", .serialized)
struct LongPollLimitTests {
    @Test("past --max-long-polls-per-client, a long poll or event stream gets 503 with Retry-After and a JSON reason and its connection closed; a short one still answers")
    func perClientCap() async throws {
        try await Scene.run("long-polls") { scene in
            let master = try await MasterFixture.start(
                config: masterConfig(workers: ["w1"], builders: """
                  - name: b
                    workers: [w1]
                    steps:
                      - shell: {command: "true"}
                """, builderNames: ["b"]),
                in: scene.dir.appending("master"), extraArguments: ["--max-long-polls-per-client", "2"])
            scene.track(master.process)
            let root = try await master.client.get("api/v2/")
            #expect(root["long_polls"]?["max_per_client"]?.intValue == 2)
            #expect(root["long_polls"]?["max_timeout"]?.intValue == 300)

            let client = master.anonymous
            let holders = (0..<2).map { _ in
                Task { try? await client.sendRaw("GET", "api/v2/events?timeout=300", body: nil) }
            }
            defer { for h in holders { h.cancel() } }
            // Wait until the master holds both (a bounded loop on what it reports, not a sleep).
            let deadline = Date().addingTimeInterval(60)
            while try await client.get("api/v2/")["long_polls"]?["open"]?.intValue != 2 {
                #expect(Date() < deadline, "the two long polls never opened")
                if Date() >= deadline { return }
                await Task.yield()
            }
            let refused = try await client.sendRaw("GET", "api/v2/events?timeout=300", body: nil)
            #expect(refused.status == 503, "\(refused.text)")
            #expect(refused.json["error"]?.stringValue?.contains("long polls") == true, "\(refused.text)")
            #expect(refused.headers["retry-after"] == "5")
            // A refused client's connection is closed after the answer, so refused polls hold
            // no descriptor of the master; an event stream counts against the same cap.
            let port = try #require(RawHTTP.port(of: master.url))
            for path in ["/api/v2/events?timeout=300", "/events?page=home"] {
                let raw = await RawHTTP.exchange(port: port, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                #expect(raw?.text.hasPrefix("HTTP/1.1 503") == true, "\(path): \(raw?.text ?? "no connection")")
                #expect(raw?.text.lowercased().contains("connection: close") == true, "\(path)")
                #expect(raw?.closedByServer == true, "\(path): the master kept the refused connection open")
            }
            // A poll that does not wait is no long poll: it still answers.
            #expect(try await client.sendRaw("GET", "api/v2/events?timeout=0", body: nil).status == 200)

            // Once one ends (a new event wakes both), a long poll is taken again.
            _ = try await master.force("b")
            for h in holders { _ = await h.value }
            let again = try await client.sendRaw("GET", "api/v2/events?timeout=0.01", body: nil)
            #expect(again.status == 200)

            // An open event stream takes a place as a long poll does.
            let stream = Task { try? await client.sendRaw("GET", "events?page=home", body: nil) }
            defer { stream.cancel() }
            while try await client.get("api/v2/")["long_polls"]?["open"]?.intValue != 1 {
                #expect(Date() < deadline, "the event stream never counted")
                if Date() >= deadline { return }
                await Task.yield()
            }
        }
    }
}
