import Foundation
import Logging
import MinibotCore
import MinibotStore
import ServiceLifecycle

/// Deletes the logs of builds that ended longer ago than `janitor.log_horizon`, every
/// `janitor.interval` (and once at start), so a long-running master's database stops
/// growing with every build's output. It reads the running configuration each time, so a
/// reconfig changes the horizon without a restart. Each run that deleted something is
/// logged and recorded as a `logs_pruned` event.
struct JanitorService: Service {
    let store: any Store
    let events: EventLog
    let logger: Logger
    let clock: any WallClock
    let config: @Sendable () -> JanitorConfig

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let janitor = config()
                if let horizon = janitor.logHorizon { await prune(horizon: horizon) }
                try? await clock.sleep(seconds: janitor.interval)
            }
        }
    }

    private func prune(horizon: Double) async {
        let t = clock.now()
        let cutoff = t.addingTimeInterval(-horizon)
        do {
            let done = try await store.pruneLogs(endedBefore: cutoff, at: t)
            guard done.builds > 0 else { return }
            logger.info("deleted the logs of builds that ended over \(DurationText.describe(horizon)) ago",
                        metadata: ["builds": "\(done.builds)", "chunks": "\(done.chunks)"])
            events.record(.logsPruned, ["builds": .number(Double(done.builds)), "chunks": .number(Double(done.chunks)),
                                          "log_horizon": .number(horizon)])
        } catch {
            logger.error("janitor: could not delete old logs: \(error)")
        }
    }
}
