import Foundation
import MinibotCore
import MinibotHostFacts
@testable import MinibotMaster
import Testing

/// The pages' view models as plain values, and their templates' escaping.
@Suite struct PageModelTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func build(_ id: Int64, _ builder: String, _ result: BuildResult?, seconds: Double = 60) -> Build {
        Build(id: id, number: Int(id), builderName: builder, buildRequestID: id, workerName: "w<1>", startedAt: t0,
              completedAt: result == nil ? nil : t0.addingTimeInterval(seconds), results: result, stateString: "done")
    }

    func worker(_ name: String, connected: Bool, paused: Bool = false) -> WorkerState {
        WorkerState(name: name, isConnected: connected, isPaused: paused, pauseReason: paused ? "lunch" : nil, isStopping: false,
                    runningBuilds: 0, maxBuilds: 2, info: nil, status: nil, lastConnected: nil)
    }

    @Test("reasons are summed over workers, with the earliest until")
    func reasons() {
        let until = t0.addingTimeInterval(3600)
        let utc = TimeZone(identifier: "UTC")!
        let summary = ReasonSummary([
            WaitingReason(worker: "a", reason: "worker a: restricted hours", until: until.addingTimeInterval(60)),
            WaitingReason(worker: "b", reason: "worker b: restricted hours", until: until, untilZone: "Asia/Tokyo"),
            WaitingReason(worker: "c", reason: "worker c busy (1/1 builds)"),
            WaitingReason(worker: "d", reason: "worker d unavailable: load 4.2 > 3.0", condition: "when load < 2.4"),
        ], now: t0, zone: utc)
        #expect(summary.lines.map(\.text) == ["2 workers (a, b): restricted hours", "worker c: busy (1/1 builds)",
                                              "worker d: unavailable: load 4.2 > 3.0"])
        // The master's zone with its label (UTC, never GMT), the window's own zone beside it.
        let shown = TimeLabel.text(until, relativeTo: t0, in: utc, alsoIn: TimeZone(identifier: "Asia/Tokyo"))
        #expect(summary.lines[0].until == "until " + shown)
        #expect(shown.contains(" UTC (") && shown.hasSuffix(" JST)"))
        #expect(summary.lines[1].until == "")
        #expect(summary.lines[2].until == "when load < 2.4")
        #expect(ReasonSummary.biggest([[WaitingReason(worker: "a", reason: "worker a busy (1/1 builds)")],
                                       [WaitingReason(worker: "b", reason: "worker b busy (1/1 builds)")]])?.count == 2)
    }

    @Test("home: one row per builder with its last results, counts, typical duration and a health line")
    func home() {
        let builds = [build(4, "b", nil), build(3, "b", .failure), build(2, "b", .success, seconds: 30),
                      build(1, "b", .success, seconds: 90)]
        let page = HomePage.make(title: "t", builders: ["b", "empty"], builds: builds,
                                 pending: ["b": [[WaitingReason(worker: "w", reason: "worker w busy (1/1 builds)")]]],
                                 workers: [worker("w", connected: true), worker("x", connected: true, paused: true), worker("y", connected: false)],
                                 now: t0.addingTimeInterval(10))
        let row = page.builders[0]
        #expect(row.cells.map(\.look.word) == ["running", "FAILURE", "SUCCESS", "SUCCESS"])
        #expect(row.running == 1 && row.pending == 1)
        #expect(row.typicalDuration == WebFormat.duration(60))
        #expect(page.builders[1].cells.isEmpty)
        // The running build: 10 s into a typical 60 s.
        #expect(page.buildRows[0].progress == BuildRow.Progress(percent: 16, eta: "about 50 s left"))
        #expect(page.buildRows[1].progress == nil)
        #expect(page.health == "2 of 3 workers connected, 1 usable · 1 request waiting, most for: busy (1/1 builds) (1)")
    }

    @Test("pages render with every value escaped")
    func escaping() throws {
        let evil = "<script>alert(1)</script>"
        var b = build(1, evil, .success)
        b.properties = ["p": evil]
        var tail = LogTail(keep: 10)
        tail.feed(evil + "\n")
        tail.finish()
        let step = BuildStep(buildID: 1, number: 0, name: evil, startedAt: t0, completedAt: t0, results: .success, stateString: evil)
        let request = BuildRequest(builderName: evil, submittedAt: t0, reason: evil, sourceStamp: SourceStamp(branch: evil))
        let change = Change(id: 3, revision: evil, branch: evil, repository: "r", author: evil, comments: evil + "\nmore",
                            when: t0, source: "test")
        let page = BuildPage.make(title: evil, build: b, steps: [step], request: request, changes: [change],
                                  logs: [0: tail], now: t0)
        #expect(page.changes.first?.title == evil)
        let html = WebTemplates.library.render(page, withTemplate: "build") ?? ""
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(html.contains("id=\"step-0-L1\""))
        let home = HomePage.make(title: evil, builders: [evil], builds: [b], pending: [:], workers: [], now: t0)
        let homeHTML = WebTemplates.library.render(home, withTemplate: "home") ?? ""
        #expect(!homeHTML.contains("<script>") && homeHTML.contains("/builders/%3Cscript%3E"))
        let pending = PendingPage.make(title: evil, requests: [request],
                                       waiting: [0: [WaitingReason(worker: evil, reason: evil)]], now: t0)
        #expect(!(WebTemplates.library.render(pending, withTemplate: "pending") ?? "").contains("<script>"))
        #expect(!Badge(label: evil, result: .failure).svg.contains("<script>"))
    }

    @Test("pending: the expected start as a time with its explanation, now, or unknown")
    func expectedStart() {
        let utc = TimeZone(identifier: "UTC")!
        let requests = (1...3).map { BuildRequest(id: Int64($0), builderName: "b", submittedAt: t0, reason: "r", sourceStamp: SourceStamp()) }
        let page = PendingPage.make(title: "t", requests: requests, waiting: [:], estimates: [
            1: StartEstimate(start: t0.addingTimeInterval(180), explanation: "w1 frees in ~3 min"),
            2: StartEstimate(start: t0, explanation: "w1 is free now"),
            3: StartEstimate(start: nil, explanation: "unknown: no successful build of b timed yet"),
        ], now: t0, zone: utc)
        #expect(page.rows.map(\.expected) == [TimeLabel.text(t0.addingTimeInterval(180), relativeTo: t0, in: utc), "now", "unknown"])
        #expect(page.rows[0].expected.hasSuffix(" UTC"))
        #expect(page.rows[0].expectedWhy == "w1 frees in ~3 min")
        let html = WebTemplates.library.render(page, withTemplate: "pending") ?? ""
        #expect(html.contains("<th>expected start</th>") && html.contains("unknown: no successful build of b timed yet"))
    }

    @Test("workers: builds x/max, flags with the plugin's view in one line")
    func workers() {
        let page = WorkersPage.make(title: "t", workers: [worker("w", connected: true, paused: true)],
                                    plugins: ["w": [WorkersPage.pluginLine("availability", .object([
                                        "state": .string("advisory"), "reason": .string("my desktop"),
                                        "set_by": .string("alice"), "until_text": .string("until 17:00 CET"),
                                    ]))]])
        #expect(page.rows[0].builds == "0/2")
        #expect(page.rows[0].flags == ["paused: lunch", "availability: advisory (my desktop), set by alice, until 17:00 CET"])
    }

    @Test("workers: a drain shows who asked and its deadline, then drained once idle")
    func drains() {
        let utc = TimeZone(identifier: "UTC")!
        var w = worker("w", connected: true)
        w.drain = WorkerDrain(deadline: t0.addingTimeInterval(1800), requestedAt: t0, requestedBy: "ops")
        w.runningBuilds = 1
        let draining = WorkersPage.make(title: "t", workers: [w], plugins: [:], now: t0, zone: utc)
        let at = TimeLabel.text(t0.addingTimeInterval(1800), relativeTo: t0, in: utc)
        #expect(draining.rows[0].flags == ["draining (by ops): running builds end RETRY at \(at)"])
        #expect(at.hasSuffix(" UTC"))
        w.runningBuilds = 0
        #expect(WorkersPage.make(title: "t", workers: [w], plugins: [:], now: t0, zone: utc).rows[0].flags
                == ["drained (by ops): no new builds"])
    }

    @Test("every template parses")
    func templatesParse() {
        for (name, _) in WebTemplates.sources { #expect(WebTemplates.library.getTemplate(named: name) != nil, "\(name)") }
    }
}
