import AsyncHTTPClient
import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import NIOCore
import Testing

/// Issue 15: the server-rendered pages, the live stream, badges and metrics of a real master
/// with a real worker.
@Suite("Web UI", .serialized)
struct WebUITests {
    /// A YAML double-quoted shell command printing a red line with markup, then a plain one.
    static let colourful = #"printf '\033[1;31mred <b>bold</b>\033[0m\nplain & simple\n'"#

    @Test("every page renders, escaped, with ANSI colours as classes; badge and metrics answer")
    func pages() async throws {
        try await Scene.run("webui") { scene in
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: colours, command: "\(Self.colourful.replacingOccurrences(of: "\\", with: "\\\\"))"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b", properties: ["note": "<i>x</i>"])
            let id = MasterFixture.buildID(try await events.buildFinished(request: request))
            let c = master.anonymous

            let home = try await c.sendRaw("GET", "/", body: nil)
            #expect(home.status == 200)
            #expect(home.text.contains("href=\"/builders/b\"") && home.text.contains("href=\"/builds/\(id)\""))
            #expect(home.text.contains("SUCCESS") && home.text.contains("workers connected"))

            let build = try await c.getText("builds/\(id)")
            #expect(build.contains("<span class=\"f1 bold\">red &lt;b&gt;bold&lt;/b&gt;</span>"), "\(build)")
            #expect(build.contains("plain &amp; simple"))
            #expect(build.contains("&lt;i&gt;x&lt;/i&gt;") && !build.contains("<i>x</i>"))
            #expect(build.contains("id=\"step-0-L1\""))
            #expect(build.contains("/api/v2/builds/\(id)/steps/0/logs/stdio/raw"))
            let plain = try await c.getText("api/v2/builds/\(id)/steps/0/logs/stdio/text")
            #expect(plain.contains("red <b>bold</b>\nplain & simple") && !plain.contains("\u{1B}"), "\(plain)")

            #expect(try await c.getText("builders/b").contains("href=\"/builds/\(id)\""))
            #expect(try await c.getText("pending").contains("nothing waits"))
            #expect(try await c.getText("workers").contains("w1"))
            #expect(try await c.getText("changes").contains("no changes recorded"))
            let masters = try await c.getText("masters")
            #expect(masters.contains("(this one)") && masters.contains("active"), "\(masters)")
            #expect(try await c.sendRaw("GET", "builds/999999", body: nil).status == 404)
            #expect(try await c.sendRaw("GET", "builders/nope", body: nil).status == 404)
            #expect(try await c.getText("static/minibot.js").contains("EventSource"))

            let badge = try await c.sendRaw("GET", "badges/b.svg", body: nil)
            #expect(badge.status == 200 && badge.text.contains("success"))
            #expect(try await c.sendRaw("GET", "badges/nope.svg", body: nil).status == 404)

            let cc = try await c.getText("cc.xml")
            #expect(cc.contains("name=\"b\" activity=\"Sleeping\" lastBuildStatus=\"Success\""), "\(cc)")

            let metrics = try await c.getText("metrics")
            #expect(metrics.contains("minibot_builds_started_total{builder=\"b\"} 1"), "\(metrics)")
            #expect(metrics.contains("minibot_builds_finished_total{builder=\"b\",result=\"SUCCESS\"} 1"))
            #expect(metrics.contains("minibot_workers_connected 1"))
            #expect(metrics.contains("minibot_build_duration_seconds_count{builder=\"b\"} 1"))
            #expect(metrics.contains("minibot_requests_pending{builder=\"b\"} 0"))
            #expect(metrics.contains("minibot_http_requests_total{route=\"/builds/{id}\",status=\"200\"} 1"))
            #expect(metrics.contains("minibot_step_duration_seconds_count{builder=\"b\",step=\"colours\"} 1"), "\(metrics)")
            #expect(metrics.contains("minibot_requests_waiting{reason=\"busy\"} 0"))
            #expect(metrics.contains("minibot_distributor_pass_seconds_count "))
            #expect(metrics.contains("minibot_database_bytes "))
            #expect(metrics.contains("minibot_database_statements_total "))
            // Every series the Grafana dashboard in contrib/ plots is one this master exports.
            let dashboard = try String(contentsOf: GitFixture.sourceRoot.appendingPathComponent("contrib/grafana/minibot-dashboard.json"),
                                       encoding: .utf8)
            let plotted = Set(dashboard.matches(of: /minibot_[a-z_]+/).map { String($0.output).replacing(/_bucket$/, with: "") })
            #expect(plotted.count >= 10)
            for name in plotted { #expect(metrics.contains("# TYPE \(name) "), "the dashboard plots \(name), which /metrics lacks") }
            let logBytes = metrics.split(separator: "\n").first { $0.hasPrefix("minibot_log_bytes_total ") }
            #expect(logBytes.flatMap { Double($0.split(separator: " ")[1]) }.map { $0 > 0 } == true, "\(metrics)")
        }
    }

    @Test("a build's stream carries its log lines, rendered, and its events; not another build's")
    func liveStream() async throws {
        try await Scene.run("webui-sse") { scene in
            let gateA = scene.path("gate-a"), gateB = scene.path("gate-b")
            let builders = """
              - name: a
                workers: [w1]
                steps:
                  - shell: {name: talk, command: "echo first-a; \(waitForFileCommand(gateA)); echo '<second-a>'"}
              - name: b
                workers: [w2]
                steps:
                  - shell: {name: talk, command: "echo first-b; \(waitForFileCommand(gateB)); echo second-b"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1", "w2"], builders: builders, builderNames: ["a", "b"]))
            try await scene.workers(["w1", "w2"], master: master)
            let events = try await master.events()
            let ra = try await master.force("a")
            let rb = try await master.force("b")
            let a = MasterFixture.buildID(try await events.buildStarted(request: ra))
            let b = MasterFixture.buildID(try await events.buildStarted(request: rb))

            var request = HTTPClientRequest(url: "\(master.url)/events?build=\(a)")
            request.headers.add(name: "Accept", value: "text/event-stream")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
            #expect(response.status.code == 200)
            #expect(response.headers["Content-Type"].first == "text/event-stream")
            #expect(response.headers["X-Accel-Buffering"].first == "no")

            var text = ""
            var touched = false
            for try await buffer in response.body {
                text += String(buffer: buffer)
                if !touched, text.contains("first-a") {
                    touched = true
                    touch(gateB)
                    _ = try await events.buildFinished(request: rb)
                    touch(gateA)
                }
                if text.contains("\"build_finished\"") { break }
            }
            let frames = text.components(separatedBy: "\n\n")
            #expect(frames.contains { $0.contains("event: log") && $0.contains("first-a") })
            #expect(frames.contains { $0.contains("event: log") && $0.contains("&lt;second-a&gt;") })
            #expect(frames.contains { $0.hasPrefix("id: ") || $0.contains("\nid: ") })
            #expect(!text.contains("first-b") && !text.contains("\"buildid\":\(b)"), "\(text)")

            // Resuming: a stream opened with Last-Event-ID replays what came after that event,
            // here the end of the build, which this new stream never saw live.
            let firstID = frames.lazy.compactMap { frame in
                frame.split(separator: "\n").first { $0.hasPrefix("id: ") }.flatMap { Int64($0.dropFirst(4)) }
            }.first
            let resumeFrom = try #require(firstID)
            var again = HTTPClientRequest(url: "\(master.url)/events?build=\(a)&lines=0:1000")
            again.headers.add(name: "Last-Event-ID", value: String(resumeFrom))
            let resumed = try await HTTPClient.shared.execute(again, timeout: .seconds(120))
            var replay = ""
            for try await buffer in resumed.body {
                replay += String(buffer: buffer)
                if replay.contains("\"build_finished\"") { break }
            }
            #expect(replay.contains("\"build_finished\""))
            // The page said it has every line: none is sent again.
            #expect(!replay.contains("event: log"))
        }
    }

    @Test("a page's stream sends one frame per batch of events, naming their types, and no log lines")
    func pageStream() async throws {
        try await Scene.run("webui-page-sse") { scene in
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: talk, command: "echo hello-from-the-log"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            var request = HTTPClientRequest(url: "\(master.url)/events?page=home")
            request.headers.add(name: "Accept", value: "text/event-stream")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
            var text = ""
            var forced = false
            for try await buffer in response.body {
                text += String(buffer: buffer)
                if !forced, text.contains(": stream") {
                    forced = true
                    _ = try await master.force("b")
                }
                if text.contains("build_finished") { break }
            }
            let frames = text.components(separatedBy: "\n\n").filter { $0.contains("data: ") }
            #expect(!frames.isEmpty)
            #expect(frames.allSatisfy { $0.contains("id: ") && $0.contains("data: {\"types\":[\"") }, "\(text)")
            #expect(!text.contains("hello-from-the-log") && !text.contains("event: log"), "\(text)")
            #expect(!text.contains("worker_status"))
        }
    }
}
