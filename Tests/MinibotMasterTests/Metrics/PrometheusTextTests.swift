import Foundation
import MinibotCore
@testable import MinibotMaster
import Testing

@Suite struct PrometheusTextTests {
    /// An event log entry; `seq` is build id × 2 (+1 for its end), so each is numbered once.
    func event(_ type: MasterEvent, _ id: Int64, _ builder: String, at t: Double, _ more: [String: JSONValue] = [:]) -> EventLog.Event {
        var fields: [String: JSONValue] = ["buildid": .number(Double(id)), "builder": .string(builder)]
        fields.merge(more) { $1 }
        return EventLog.Event(seq: id * 2 + (type == .buildFinished ? 1 : 0), time: Date(timeIntervalSince1970: t),
                              type: type, fields: fields)
    }

    func started(_ id: Int64, _ builder: String, at t: Double) -> EventLog.Event { event(.buildStarted, id, builder, at: t) }

    func finished(_ id: Int64, _ builder: String, _ result: String, at t: Double) -> EventLog.Event {
        event(.buildFinished, id, builder, at: t, ["results_name": .string(result)])
    }

    @Test("families with help, type and escaped labels")
    func renders() {
        var out = PrometheusText()
        out.family("m_total", help: "Things.", type: "counter", [([("builder", "a\"b\\c\nd")], 3), ([], 0.5)])
        #expect(out.text == "# HELP m_total Things.\n# TYPE m_total counter\nm_total{builder=\"a\\\"b\\\\c\\nd\"} 3\nm_total 0.5\n")
    }

    @Test("the master's counters render sorted")
    func counters() {
        let m = MasterMetrics()
        let done = [started(1, "b", at: 0), started(2, "a", at: 0), finished(2, "a", "SUCCESS", at: 1)]
        m.ingest(done)
        // Seen again (the service and a scrape both read the log): not counted twice.
        m.ingest(done)
        m.httpRequest(route: "/", status: 200)
        var out = PrometheusText()
        m.render(into: &out)
        #expect(out.text.contains("minibot_builds_started_total{builder=\"a\"} 1\nminibot_builds_started_total{builder=\"b\"} 1\n"))
        #expect(out.text.contains("minibot_builds_finished_total{builder=\"a\",result=\"SUCCESS\"} 1"))
        #expect(out.text.contains("minibot_http_requests_total{route=\"/\",status=\"200\"} 1"))
    }

    @Test("build durations as a cumulative histogram per builder")
    func histogram() {
        let m = MasterMetrics()
        m.ingest([started(1, "a", at: 0), finished(1, "a", "SUCCESS", at: 3),
                  started(2, "a", at: 10), finished(2, "a", "FAILURE", at: 110)])
        var out = PrometheusText()
        m.render(into: &out)
        #expect(out.text.contains("# TYPE minibot_build_duration_seconds histogram\n"))
        #expect(out.text.contains("minibot_build_duration_seconds_bucket{builder=\"a\",le=\"1\"} 0\n"))
        #expect(out.text.contains("minibot_build_duration_seconds_bucket{builder=\"a\",le=\"5\"} 1\n"))
        #expect(out.text.contains("minibot_build_duration_seconds_bucket{builder=\"a\",le=\"120\"} 2\n"))
        #expect(out.text.contains("minibot_build_duration_seconds_bucket{builder=\"a\",le=\"+Inf\"} 2\n"))
        #expect(out.text.contains("minibot_build_duration_seconds_sum{builder=\"a\"} 103\n"))
        #expect(out.text.contains("minibot_build_duration_seconds_count{builder=\"a\"} 2\n"))
    }

    @Test("a badge shows the last result, escaped")
    func badge() {
        let svg = Badge(label: "a&b", result: .failure).svg
        #expect(svg.contains("a&amp;b") && svg.contains("failure") && svg.contains("#e05d44"))
        #expect(Badge(label: "x", result: nil).message == "no builds")
    }

    @Test("the CCTray feed: one project per builder, activity, last finished result, escaped")
    func ccTray() {
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        let builds = [Build(id: 2, number: 2, builderName: "a&b", buildRequestID: 2, workerName: "w", startedAt: t),
                      Build(id: 1, number: 1, builderName: "a&b", buildRequestID: 1, workerName: "w", startedAt: t,
                            completedAt: t, results: .failure)]
        let xml = CCTrayFeed.make(builders: ["a&b", "idle"], builds: builds, baseURL: "http://h:1").xml
        #expect(xml.contains("<Project name=\"a&amp;b\" activity=\"Building\" lastBuildStatus=\"Failure\" lastBuildLabel=\"1\""))
        #expect(xml.contains("<Project name=\"idle\" activity=\"Sleeping\" lastBuildStatus=\"Unknown\" webUrl=\"http://h:1/builders/idle\"/>"))
    }
}
