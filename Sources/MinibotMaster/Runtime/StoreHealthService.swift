import Logging
import MinibotCore
import MinibotStore
import ServiceLifecycle

/// Asks the store every few seconds whether it is still the one the master opened (a
/// deleted or replaced `state.sqlite`, a PostgreSQL server gone). While it is not, the
/// distributor starts no new build, `GET /api/v2/` says `healthy: false` with the problem,
/// and each change is logged and recorded as a `database_health` event.
struct StoreHealthService: Service {
    /// Seconds between two checks.
    static let interval = 5.0

    let store: any Store
    let distributor: Distributor
    let events: EventLog
    let logger: Logger
    let clock: any WallClock

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var last: String?
            while !Task.isCancelled {
                let problem = await store.health()
                if problem != last {
                    if let problem {
                        logger.error("the database cannot be trusted: \(problem); no new build starts until the master is restarted on a good one")
                    } else {
                        logger.notice("the database is healthy again")
                    }
                    events.record(.databaseHealth, ["healthy": .bool(problem == nil),
                                                    "problem": problem.map(JSONValue.string) ?? .null])
                    await distributor.halt(problem)
                    last = problem
                }
                try? await clock.sleep(seconds: Self.interval)
            }
        }
    }
}
