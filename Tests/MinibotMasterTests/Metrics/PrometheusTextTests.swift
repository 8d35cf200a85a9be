import Foundation
import MinibotCore
@testable import MinibotMaster
import Testing

@Suite struct PrometheusTextTests {
    @Test("families with help, type and escaped labels")
    func renders() {
        var out = PrometheusText()
        out.family("m_total", help: "Things.", type: "counter", [([("builder", "a\"b\\c\nd")], 3), ([], 0.5)])
        #expect(out.text == "# HELP m_total Things.\n# TYPE m_total counter\nm_total{builder=\"a\\\"b\\\\c\\nd\"} 3\nm_total 0.5\n")
    }

    @Test("the master's counters render sorted")
    func counters() {
        let m = MasterMetrics()
        m.buildStarted(builder: "b")
        m.buildStarted(builder: "a")
        m.buildFinished(builder: "a", result: "SUCCESS")
        m.httpRequest(route: "/", status: 200)
        var out = PrometheusText()
        m.render(into: &out)
        #expect(out.text.contains("minibot_builds_started_total{builder=\"a\"} 1\nminibot_builds_started_total{builder=\"b\"} 1\n"))
        #expect(out.text.contains("minibot_builds_finished_total{builder=\"a\",result=\"SUCCESS\"} 1"))
        #expect(out.text.contains("minibot_http_requests_total{route=\"/\",status=\"200\"} 1"))
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
