import Synchronization

/// The master's counters for `GET /metrics`: builds started and finished by builder and
/// result, HTTP requests by route and status. Counted as events happen (``MetricsService``
/// follows the event log; ``MetricsMiddleware`` sees each HTTP answer); gauges (pending,
/// workers) are read at scrape time instead. A hot counter behind one scoped lock.
final class MasterMetrics: Sendable {
    private struct State {
        var started: [String: Int] = [:]
        var finished: [Key: Int] = [:]
        var http: [Key: Int] = [:]
    }

    struct Key: Hashable, Sendable {
        var a: String
        var b: String
    }

    private let state = Mutex(State())

    init() {}

    func buildStarted(builder: String) { state.withLock { $0.started[builder, default: 0] += 1 } }

    func buildFinished(builder: String, result: String) {
        state.withLock { $0.finished[Key(a: builder, b: result), default: 0] += 1 }
    }

    func httpRequest(route: String, status: Int) {
        state.withLock { $0.http[Key(a: route, b: String(status)), default: 0] += 1 }
    }

    /// The counters as Prometheus series, sorted so that a scrape reads the same each time.
    func render(into out: inout PrometheusText) {
        let s = state.withLock { $0 }
        out.family("minibot_builds_started_total", help: "Builds started, by builder.", type: "counter",
                   s.started.sorted { $0.key < $1.key }.map { ([("builder", $0.key)], Double($0.value)) })
        out.family("minibot_builds_finished_total", help: "Builds finished, by builder and result.", type: "counter",
                   s.finished.sorted { ($0.key.a, $0.key.b) < ($1.key.a, $1.key.b) }
                       .map { ([("builder", $0.key.a), ("result", $0.key.b)], Double($0.value)) })
        out.family("minibot_http_requests_total", help: "HTTP requests answered, by route and status.", type: "counter",
                   s.http.sorted { ($0.key.a, $0.key.b) < ($1.key.a, $1.key.b) }
                       .map { ([("route", $0.key.a), ("status", $0.key.b)], Double($0.value)) })
    }
}
