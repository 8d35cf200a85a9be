import Foundation
import Logging
import MinibotCore
import MinibotStore
import ServiceLifecycle

/// Deletes old history every `janitor.interval` (and once at start), so a long-running
/// master's database stops growing: whole builds that ended longer ago than
/// `janitor.keep_builds`, then the logs of builds older than `janitor.keep_logs`, each in
/// small transactions between which the master's own writes go on; then it gives the space
/// back to the file system a few megabytes at a time. It reads the running configuration
/// each time, so a reconfig changes the horizons without a restart. Each run that deleted
/// something is logged and recorded as a `builds_pruned` or `logs_pruned` event.
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
                var deleted = false
                if let horizon = janitor.buildHorizon { deleted = await pruneBuilds(horizon: horizon) || deleted }
                if let horizon = janitor.logHorizon { deleted = await prune(horizon: horizon) || deleted }
                if deleted { await reclaim() }
                try? await clock.sleep(seconds: janitor.interval)
            }
        }
    }

    /// Pages given back per transaction (4 KiB each: 8 MiB), so no one write holds the file long.
    static let reclaimPages = 2048

    private func pruneBuilds(horizon: Double) async -> Bool {
        do {
            let builds = try await store.pruneBuilds(endedBefore: clock.now().addingTimeInterval(-horizon))
            guard builds > 0 else { return false }
            logger.info("deleted the builds that ended over \(DurationText.describe(horizon)) ago",
                        metadata: ["builds": "\(builds)"])
            events.record(.buildsPruned, ["builds": .number(Double(builds)), "keep_builds": .number(horizon)])
            return true
        } catch {
            logger.error("janitor: could not delete old builds: \(error)")
            return false
        }
    }

    private func reclaim() async {
        do {
            while !Task.isCancelled, try await store.reclaimSpace(pages: Self.reclaimPages) > 0 { await Task.yield() }
        } catch {
            logger.error("janitor: could not give the freed space back: \(error)")
        }
    }

    private func prune(horizon: Double) async -> Bool {
        let t = clock.now()
        let cutoff = t.addingTimeInterval(-horizon)
        do {
            let done = try await store.pruneLogs(endedBefore: cutoff, at: t)
            guard done.builds > 0 else { return false }
            logger.info("deleted the logs of builds that ended over \(DurationText.describe(horizon)) ago",
                        metadata: ["builds": "\(done.builds)", "chunks": "\(done.chunks)"])
            events.record(.logsPruned, ["builds": .number(Double(done.builds)), "chunks": .number(Double(done.chunks)),
                                          "log_horizon": .number(horizon)])
            return true
        } catch {
            logger.error("janitor: could not delete old logs: \(error)")
            return false
        }
    }
}
