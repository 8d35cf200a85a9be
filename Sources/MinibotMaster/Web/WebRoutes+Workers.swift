import Foundation
import Hummingbird
import MinibotCore
import MinibotStore

extension WebRoutes {
    /// How far ahead the worker page's picture looks.
    static let timelineDays = 7.0

    /// `/workers/NAME`: one worker with its availability picture.
    func worker(_ name: String, _ request: Request) async throws -> Response {
        let now = runtime.clock.now()
        guard let state = await runtime.registry.states().first(where: { $0.name == name }),
              let history = await runtime.registry.loadHistory(name, before: now) else {
            return Self.notFound("no worker named \(name)")
        }
        var lines: [String] = []
        for p in runtime.plugins.all {
            if let summary = await p.plugin.workerSummary(name) { lines.append(WorkersPage.pluginLine(p.name, summary)) }
        }
        let timeline = await Self.timeline(runtime, worker: name, now: now)
        let builds = runtime.runner.live(try await runtime.store.builds(builder: nil, limit: 500))
        let model = WorkerPage.make(title: runtime.config.title, worker: state, plugins: lines, timeline: timeline,
                                    history: history, builds: builds, now: now)
        return page("worker", model, heading: "Worker \(name)", stream: "page=workers", request)
    }

    /// `/workers/NAME/week.svg`: the worker's recorded week (``RecordedWeekSVG``), fetched from
    /// it now. An image of its own so the page never waits for the worker; a worker that cannot
    /// answer gets a picture that says why (an error status would show as a broken image).
    func recordedWeek(_ name: String) async -> Response {
        let now = runtime.clock.now()
        let result = await WorkerSamples.fetch(runtime.registry, worker: name, since: now.addingTimeInterval(-RecordedWeekSVG.span),
                                               until: now, timeout: .seconds(10))
        if case .failure(let refusal) = result, refusal.status == .notFound { return Self.notFound(refusal.message) }
        var picture = RecordedWeekSVG(worker: name, now: now, zone: .current, samples: [])
        switch result {
        case .success(let found): picture.samples = found.samples
        case .failure(let refusal): picture.unavailable = refusal.message
        }
        // A minute of caching: the page reloads its content on worker events, the week hardly moves.
        return Response(status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "private, max-age=60"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: picture.svg)))
    }

    /// What the first plugin that foresees anything says of the worker's next 7 days.
    static func timeline(_ runtime: MasterRuntime, worker: String, now: Date) async -> AvailabilityTimeline? {
        let until = now.addingTimeInterval(timelineDays * 86_400)
        for p in runtime.plugins.all {
            if let timeline = await p.plugin.timeline(of: worker, from: now, to: until) { return timeline }
        }
        return nil
    }

    /// `/hosts`: the host agents behind the workers, as the plugins know them.
    func hosts(_ request: Request) async throws -> Response {
        var views: [HostAgentView] = []
        for p in runtime.plugins.all {
            if let v = await p.plugin.hostAgents() { views += v }
        }
        let states = await runtime.registry.states()
        var running: [Int64: Build] = [:]
        if !views.isEmpty {
            for b in runtime.runner.live(try await runtime.store.builds(BuildQuery(complete: false, limit: 1_000))) {
                running[b.buildRequestID] = b
            }
        }
        let model = HostsPage.make(title: runtime.config.title, workers: states, views: views, running: running,
                                   now: runtime.clock.now())
        return page("hosts", model, heading: "Hosts", stream: "page=workers", request)
    }
}
