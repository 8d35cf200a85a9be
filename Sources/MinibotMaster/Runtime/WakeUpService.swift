import Foundation
import Logging
import MinibotCore
import MinibotStore
import ServiceLifecycle

/// Several masters on one database: acts at once on what the others commit. Listens through
/// ``SharedStore/listenForWakeUps(_:)`` (PostgreSQL's `LISTEN/NOTIFY`) and reads the named
/// rows: pending requests go to the distributor, changes to the schedulers this master runs,
/// a poll asked of another master to the poller this master runs, another master's events to
/// the ``EventRelay``. A rescan after each (re)connect and every ``backstop`` seconds covers
/// hints lost while the listener was away.
/// A hint is never trusted beyond its ids: the rows decide.
struct WakeUpService: Service {
    /// Between rescans when no hint came (notifications lost while nobody listened, a master
    /// that died between its commit and its notification).
    static let backstop: Double = 120

    let store: any SharedStore
    let runtime: MasterRuntime
    /// Reads the other masters' events when they say they wrote some.
    let relay: EventRelay
    let logger: Logger
    let clock: any WallClock

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await store.listenForWakeUps { wakeUp in await handle(wakeUp) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await clock.sleep(seconds: Self.backstop)
                        if Task.isCancelled { break }
                        await runtime.distributor.reloadPending(reason: "backstop rescan of the shared database")
                    }
                }
                await group.waitForAll()
            }
        }
    }

    private func handle(_ wakeUp: StoreWakeUp) async {
        do {
            switch wakeUp {
            case .buildset(let id):
                await runtime.distributor.arrived(try await store.requests(buildsetID: id))
            case .request(let id):
                if let request = try await store.request(id: id) { await runtime.distributor.arrived([request]) }
            case .change(let id):
                if let change = try await store.change(id: id) { await runtime.schedulers.changeArrived(change) }
            case .poll(let name):
                await runtime.pollers.pollAskedElsewhere(name)
            case .events(let master):
                if master != runtime.masterName { relay.othersWrote() }
            case .rescan:
                relay.othersWrote()
                await runtime.distributor.reloadPending(reason: "the shared database may hold new requests")
            }
        } catch {
            logger.warning("could not read the requests another master recorded (the next rescan will): \(error)")
        }
    }
}
