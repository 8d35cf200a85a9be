import Hummingbird
import MinibotCore

/// `GET /metrics` (Prometheus text format) and nothing else: counters from
/// ``MasterMetrics``, gauges read now (pending requests by builder, workers connected and
/// usable, builds running).
struct MetricsRoutes: Sendable {
    let runtime: MasterRuntime
    let metrics: MasterMetrics

    func register(on router: Router<MasterRequestContext>) {
        router.get("metrics") { _, _ in await scrape() }
    }

    private func scrape() async -> Response {
        // Catch up with the event log first: a build that just ended is counted.
        metrics.ingest(await runtime.plugins.events.events(after: metrics.seen, timeout: 0))
        var out = PrometheusText()
        metrics.render(into: &out)
        let pending = await runtime.distributor.pendingCounts()
        out.family("minibot_requests_pending", help: "Build requests waiting, by builder.", type: "gauge",
                   runtime.config.builders.map { ([("builder", $0.name)], Double(pending[$0.name] ?? 0)) })
        let workers = await runtime.registry.states()
        out.family("minibot_workers_connected", help: "Workers connected.", type: "gauge",
                   [([], Double(workers.count(where: \.isConnected)))])
        out.family("minibot_workers_usable", help: "Workers connected, not paused and not stopping.", type: "gauge",
                   [([], Double(workers.count { $0.isConnected && !$0.isPaused && !$0.isStopping }))])
        out.family("minibot_builds_running", help: "Builds running on this master.", type: "gauge",
                   [([], Double(runtime.runner.runningBuilds.count))])
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: out.text)))
    }
}
