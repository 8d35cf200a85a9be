import Foundation
import MinibotCore
@testable import MinibotMaster
import Testing

/// The worker page and the hosts page as view models, and their templates.
@Suite struct WorkerHostPagesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let utc = TimeZone(identifier: "UTC")!

    func worker(_ name: String, agent: String? = nil, host: String = "box", load: Double? = nil) -> WorkerState {
        WorkerState(name: name, isConnected: true, isPaused: false, pauseReason: nil, isStopping: false, runningBuilds: 1,
                    maxBuilds: 2,
                    info: WorkerInfo(hostname: host, os: "Linux", cpus: 4, version: "1.0", facts: agent.map { ["agent": $0] } ?? [:]),
                    status: load.map { WorkerStatus(load1: $0, cpuPressure: 12.5, time: now) }, lastConnected: now)
    }

    func build(_ id: Int64, worker: String, started: Double, result: BuildResult?) -> Build {
        Build(id: id, number: Int(id), builderName: "b", buildRequestID: id, workerName: worker,
              startedAt: now.addingTimeInterval(started),
              completedAt: result == nil ? nil : now.addingTimeInterval(started + 60), results: result, stateString: "done")
    }

    @Test("the worker page: load against its threshold, windows, flags, its builds only, and the picture")
    func workerPage() {
        let timeline = AvailabilityTimeline(from: now, to: now.addingTimeInterval(7 * 86_400), bands: [
            .init(start: now.addingTimeInterval(3600), end: now.addingTimeInterval(7200), state: .unavailable, source: .window,
                  label: "restricted hours Mon-Fri 09:00-17:00 Europe/Berlin"),
            .init(start: now.addingTimeInterval(90_000), end: now.addingTimeInterval(93_600), state: .unavailable, source: .window,
                  label: "restricted hours Mon-Fri 09:00-17:00 Europe/Berlin"),
        ], maxLoad: 4, resumeLoad: 3.2, maxCPUPressure: 30)
        let page = WorkerPage.make(title: "t", worker: worker("w1", agent: "/run/a.sock", load: 1.5),
                                   plugins: ["availability: advisory (my desktop), set by alice, until 17:00 CET"],
                                   timeline: timeline, history: [],
                                   builds: [build(2, worker: "w1", started: -120, result: nil),
                                            build(1, worker: "other", started: -600, result: .success)],
                                   now: now, zone: utc)
        #expect(page.builds == "1/2")
        #expect(page.load == "1.50 (held back above 4.0, until below 3.2)")
        #expect(page.cpuPressure == "12.5% (held back above 30.0%)")
        #expect(page.windows == ["unavailable: restricted hours Mon-Fri 09:00-17:00 Europe/Berlin"])
        #expect(page.upcoming.count == 2)
        #expect(page.flags == ["availability: advisory (my desktop), set by alice, until 17:00 CET"])
        #expect(page.agent == "/run/a.sock")
        #expect(page.buildRows.map(\.number) == [2])
        #expect(page.svg.contains("<title>b #2 running"))
        #expect(!page.svg.contains("b #1 "))

        let html = WebTemplates.library.render(page, withTemplate: "worker") ?? ""
        #expect(html.contains("<svg xmlns=") && html.contains("class=\"band unavailable\""))
        #expect(html.contains("restricted hours Mon-Fri 09:00-17:00 Europe/Berlin"))
        #expect(html.contains("href=\"/builds/2\""))
    }

    @Test("the worker page escapes a worker's name; without a plugin the picture says so")
    func workerPageEscapes() {
        let page = WorkerPage.make(title: "t", worker: worker("<w>"), plugins: [], timeline: nil, history: [], builds: [],
                                   now: now, zone: utc)
        #expect(page.load == "" && page.windows.isEmpty)
        let html = WebTemplates.library.render(page, withTemplate: "worker") ?? ""
        #expect(html.contains("Worker &lt;w&gt;") && !html.contains("<w>"))
        #expect(html.contains("availability plugin not enabled"))
    }

    @Test("the workers list links each name to its page")
    func workersLink() {
        let page = WorkersPage.make(title: "t", workers: [worker("a b")], plugins: [:], now: now, zone: utc)
        #expect(page.rows[0].link == "/workers/a%20b")
        #expect((WebTemplates.library.render(page, withTemplate: "workers") ?? "").contains("<a href=\"/workers/a%20b\">a b</a>"))
    }

    @Test("hosts: workers grouped by agent and hostname, with link, slots, leases and what waits")
    func hostsPage() {
        let until = now.addingTimeInterval(600)
        let views = [
            HostAgentView(worker: "w1", agent: "/run/a.sock", hostname: "box", link: .connected, slots: 2,
                          leases: [.init(lease: "L1", requestID: 7)], waiting: [.init(requestID: 8, reason: "settling", until: until)]),
            HostAgentView(worker: "w2", agent: "/run/a.sock", hostname: "box", link: .connected, slots: 2, leases: [], waiting: []),
            HostAgentView(worker: "w3", agent: "/run/b.sock", hostname: "<other>", link: .unreachable(reason: "refused"),
                          slots: nil, leases: [], waiting: []),
        ]
        let running = [Int64(7): build(3, worker: "w1", started: -60, result: nil)]
        let page = HostsPage.make(title: "t", workers: [worker("w1", agent: "/run/a.sock"), worker("w2", agent: "/run/a.sock"),
                                                        worker("w3", agent: "/run/b.sock", host: "<other>"), worker("plain")],
                                  views: views, running: running, now: now, zone: utc)
        #expect(page.hosts.map(\.hostname) == ["<other>", "box"])
        let box = page.hosts[1]
        #expect(box.workers.map(\.name) == ["w1", "w2"] && box.isConnected && box.link == "connected")
        #expect(box.slots == "2 slots, 1 held by this master")
        #expect(box.leases == [.init(worker: "w1", workerLink: "/workers/w1", lease: "L1", what: "request 7 (build b #3)",
                                     buildLink: "/builds/3")])
        #expect(box.waiting.first?.reason == "settling" && box.waiting.first?.until.hasPrefix("until ") == true)
        #expect(page.hosts[0].link == "unreachable: refused" && page.hosts[0].slots.hasPrefix("slots not announced"))

        let html = WebTemplates.library.render(page, withTemplate: "hosts") ?? ""
        #expect(html.contains("&lt;other&gt;") && !html.contains("<other>"))
        #expect(!html.contains("No host agents in use"))
        let none = HostsPage.make(title: "t", workers: [worker("plain")], views: [], running: [:], now: now, zone: utc)
        #expect(none.hosts.isEmpty)
        #expect((WebTemplates.library.render(none, withTemplate: "hosts") ?? "").contains("No host agents in use"))
    }
}
