import MinibotCore
import ServiceLifecycle

/// Follows the master's event log and counts builds into ``MasterMetrics``: the build
/// runner stays unaware of metrics, and the counts cover every build the log records.
/// Durations are measured between a build's two events, so a build that started before
/// this master did (recovered after a restart) is counted but not timed.
struct MetricsService: Service {
    let events: EventLog
    let metrics: MasterMetrics

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // A short wait: the event log's wait does not end on cancellation, and a
                // graceful shutdown must not wait for it.
                metrics.ingest(await events.events(after: metrics.seen, timeout: 1))
            }
        }
    }
}
