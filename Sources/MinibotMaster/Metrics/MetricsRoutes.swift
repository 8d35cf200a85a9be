import Hummingbird
import MinibotCore

/// `GET /metrics` (Prometheus text format) and nothing else: counters from
/// ``MasterMetrics``, gauges read now (pending requests by builder, waiting requests by the
/// kinds of reason that hold them, workers connected and usable, builds running, the
/// database's size and statements), and the distributor's pass durations.
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
        // A request held back by several kinds (busy here, outside hours there) counts under each.
        var byKind: [WaitingKind: Int] = [:]
        for reasons in await runtime.distributor.waitingReasons().values {
            for kind in Set(reasons.compactMap(\.kind)) { byKind[kind, default: 0] += 1 }
        }
        out.family("minibot_requests_waiting", help: "Pending requests held back, by kind of reason.", type: "gauge",
                   WaitingKind.allCases.map { ([("reason", $0.rawValue)], Double(byKind[$0] ?? 0)) })
        let passes = await runtime.distributor.passDurations.series([])
        out.histogram("minibot_distributor_pass_seconds", help: "How long each distributor pass took.",
                      buckets: passes.buckets, sums: [([], passes.sum)], counts: [([], passes.count)])
        let stats = await runtime.store.statistics()
        if let bytes = stats.databaseBytes {
            out.family("minibot_database_bytes", help: "The database's size on disk.", type: "gauge", [([], Double(bytes))])
        }
        if let statements = stats.statements {
            out.family("minibot_database_statements_total", help: "SQL statements run since the master started.",
                       type: "counter", [([], Double(statements))])
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: out.text)))
    }
}
