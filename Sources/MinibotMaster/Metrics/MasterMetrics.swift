import Foundation
import Synchronization

/// The master's counters for `GET /metrics`: builds started and finished by builder and
/// result, build durations by builder, HTTP requests by route and status. Builds are counted
/// from the event log (``MetricsService`` follows it, and a scrape first catches up, so a
/// scrape right after a build ended counts it); ``MetricsMiddleware`` sees each HTTP answer;
/// gauges (pending, workers) are read at scrape time instead. A hot counter behind one scoped lock.
final class MasterMetrics: Sendable {
    private struct State {
        var started: [String: Int] = [:]
        var finished: [Key: Int] = [:]
        var http: [Key: Int] = [:]
        var durations: [String: Histogram] = [:]
        /// The last event log entry counted.
        var seen: Int64 = 0
        /// When each running build started, by id, for its duration when it ends.
        var startedAt: [Double: Date] = [:]
        /// Each running build's builder, by id, for its steps.
        var builderOf: [Double: String] = [:]
        /// When each running step started, by build id and step number.
        var stepStartedAt: [Key: Date] = [:]
        /// Step durations by builder and step name.
        var stepDurations: [Key: Histogram] = [:]
        /// Step output stored, in bytes as stored (compressed).
        var logBytes = 0.0
    }

    struct Key: Hashable, Sendable {
        var a: String
        var b: String
    }

    private let state = Mutex(State())

    init() {}

    /// The last event counted: read the log after it.
    var seen: Int64 { state.withLock { $0.seen } }

    /// Counts the builds in `events` not counted yet (by sequence number), so the service
    /// that follows the log and a scrape that catches up first never count one twice.
    func ingest(_ events: [EventLog.Event]) {
        state.withLock { s in
            for e in events where e.seq > s.seen {
                s.seen = e.seq
                // Another master's builds are counted by that master's own metrics.
                guard e.origin == nil else { continue }
                let builder = e.fields["builder"]?.stringValue ?? ""
                switch e.type {
                case .buildStarted:
                    s.started[builder, default: 0] += 1
                    if let id = e.fields["buildid"]?.doubleValue {
                        s.startedAt[id] = e.time
                        s.builderOf[id] = builder
                    }
                case .buildFinished:
                    let result = e.fields["results_name"]?.stringValue ?? ""
                    s.finished[Key(a: builder, b: result), default: 0] += 1
                    if let id = e.fields["buildid"]?.doubleValue {
                        if let start = s.startedAt.removeValue(forKey: id) {
                            s.durations[builder, default: Histogram()].observe(e.time.timeIntervalSince(start))
                        }
                        s.builderOf[id] = nil
                        s.stepStartedAt = s.stepStartedAt.filter { $0.key.a != String(id) }
                    }
                case .stepLog:
                    if let bytes = e.fields["bytes"]?.number(in: 0...1e15) { s.logBytes += bytes }
                case .stepStarted:
                    if let id = e.fields["buildid"]?.doubleValue, let step = e.fields["step"]?.doubleValue {
                        s.stepStartedAt[Key(a: String(id), b: String(step))] = e.time
                    }
                case .stepFinished:
                    if let id = e.fields["buildid"]?.doubleValue, let step = e.fields["step"]?.doubleValue,
                       let start = s.stepStartedAt.removeValue(forKey: Key(a: String(id), b: String(step))),
                       let owner = s.builderOf[id] {
                        let name = e.fields["name"]?.stringValue ?? ""
                        s.stepDurations[Key(a: owner, b: name), default: Histogram()].observe(e.time.timeIntervalSince(start))
                    }
                default: break
                }
            }
        }
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
        var buckets: [(labels: [(String, String)], value: Double)] = []
        var sums: [(labels: [(String, String)], value: Double)] = []
        var counts: [(labels: [(String, String)], value: Double)] = []
        for (builder, h) in s.durations.sorted(by: { $0.key < $1.key }) {
            let series = h.series([("builder", builder)])
            buckets += series.buckets
            sums.append(([("builder", builder)], series.sum))
            counts.append(([("builder", builder)], series.count))
        }
        out.histogram("minibot_build_duration_seconds", help: "How long builds ran, by builder.",
                      buckets: buckets, sums: sums, counts: counts)
        buckets = []; sums = []; counts = []
        for (key, h) in s.stepDurations.sorted(by: { ($0.key.a, $0.key.b) < ($1.key.a, $1.key.b) }) {
            let labels = [("builder", key.a), ("step", key.b)]
            let series = h.series(labels)
            buckets += series.buckets
            sums.append((labels, series.sum))
            counts.append((labels, series.count))
        }
        out.histogram("minibot_step_duration_seconds", help: "How long steps ran, by builder and step name.",
                      buckets: buckets, sums: sums, counts: counts)
        out.family("minibot_log_bytes_total", help: "Step output stored, in bytes as stored (compressed).",
                   type: "counter", [([], s.logBytes)])
        out.family("minibot_http_requests_total", help: "HTTP requests answered, by route and status.", type: "counter",
                   s.http.sorted { ($0.key.a, $0.key.b) < ($1.key.a, $1.key.b) }
                       .map { ([("route", $0.key.a), ("status", $0.key.b)], Double($0.value)) })
    }
}
