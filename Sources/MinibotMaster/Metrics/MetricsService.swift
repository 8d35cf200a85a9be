import MinibotCore
import ServiceLifecycle

/// Follows the master's event log and counts builds into ``MasterMetrics``: the build
/// runner stays unaware of metrics, and the counts cover every build the log records.
struct MetricsService: Service {
    let events: EventLog
    let metrics: MasterMetrics

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var after = events.last
            while !Task.isCancelled {
                // A short wait: the event log's wait does not end on cancellation, and a
                // graceful shutdown must not wait for it.
                let found = await events.events(after: after, timeout: 1)
                for e in found {
                    after = e.seq
                    let builder = e.fields["builder"]?.stringValue ?? ""
                    switch e.type {
                    case .buildStarted: metrics.buildStarted(builder: builder)
                    case .buildFinished: metrics.buildFinished(builder: builder, result: e.fields["results_name"]?.stringValue ?? "")
                    default: break
                    }
                }
            }
        }
    }
}
