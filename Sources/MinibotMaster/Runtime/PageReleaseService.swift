import Foundation
import Logging
import MinibotCore
import MinibotHostFacts
import ServiceLifecycle

/// Hands code pages back again once workers have connected (or left), as the master does
/// once it listens (``StartupPages``): a worker's WebSocket upgrade, hello, registration and
/// welcome run code that the idle master seldom runs again, and fault-around maps its
/// neighbours too. One second after the last `worker_attached` or `worker_detached` the
/// read-only file pages are released; whatever runs next maps back on first touch, from the
/// page cache, without I/O.
struct PageReleaseService: Service {
    /// How long the workers must stay as they are before the pages go.
    static let quiet: Double = 1

    let events: EventLog
    let logger: Logger
    let clock: any WallClock

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var after = events.last
            var changedAt: Date?
            while !Task.isCancelled {
                // A short wait at most: the log's wait does not end on cancellation.
                let wait = changedAt.map { max(0, Self.quiet - clock.now().timeIntervalSince($0)) } ?? 1
                let batch = await events.events(after: after, timeout: min(wait, 1))
                after = batch.last?.seq ?? after
                if batch.contains(where: { $0.origin == nil && ($0.type == .workerAttached || $0.type == .workerDetached) }) {
                    changedAt = clock.now()
                } else if let since = changedAt, clock.now().timeIntervalSince(since) >= Self.quiet {
                    changedAt = nil
                    let released = StartupPages.release()
                    logger.debug("pages the workers' connections touched handed back", metadata: ["mapped_MiB": "\(released >> 20)"])
                }
            }
        }
    }
}
