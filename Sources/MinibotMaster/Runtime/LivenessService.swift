import Foundation
import Logging
import MinibotCore
import MinibotStore
import ServiceLifecycle

/// Keeps this master alive in a ``SharedStore`` and reaps the dead: registers at start, then
/// every ``Configuration/interval`` renews its lease and runs the reaper. Every time that
/// decides who is alive is the database's; the master's clock only paces the loop.
///
/// A refused heartbeat means another master declared this one dead and released its claims:
/// it registers again as a new generation (its builds of the old generation are fenced and
/// end as claim lost at their next write). When the reaper released another master's claims,
/// the distributor reloads the pending requests, so this master builds them.
struct LivenessService: Service {
    /// Lease and heartbeat period.
    struct Configuration: Sendable {
        /// How long a master stays alive without a heartbeat.
        var lease: Double = 15
        /// Between heartbeats (and reaper runs): a third of the lease, so two may be lost.
        var interval: Double = 5
    }

    let store: any SharedStore
    let masterName: String
    let configHash: String?
    let distributor: Distributor
    let logger: Logger
    let clock: any WallClock
    var configuration = Configuration()

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var registration: MasterLease?
            while !Task.isCancelled {
                registration = await beat(registration)
                await reap()
                try? await clock.sleep(seconds: configuration.interval)
            }
        }
    }

    /// Registers or renews; the registration held afterwards (nil when the store failed).
    private func beat(_ registration: MasterLease?) async -> MasterLease? {
        do {
            if let registration {
                if try await store.heartbeat(registration, lease: configuration.lease) { return registration }
                logger.error("this master was declared dead by another (its lease passed); its claims were released: registering again",
                             metadata: ["generation": "\(registration.generation)"])
            }
            let fresh = try await store.registerMaster(name: masterName, configHash: configHash,
                                                       lease: configuration.lease)
            logger.info("master registered", metadata: ["generation": "\(fresh.generation)"])
            return fresh
        } catch {
            logger.error("could not renew this master's lease: \(error)")
            return registration
        }
    }

    private func reap() async {
        do {
            let dead = try await store.reapExpiredMasters(reason: "master lost (its lease passed)")
            guard !dead.isEmpty else { return }
            logger.notice("masters declared dead, their builds will be retried", metadata: ["masters": "\(dead)"])
            await distributor.reloadPending(reason: "claims of \(dead.joined(separator: ", ")) released")
        } catch {
            logger.error("could not reap dead masters: \(error)")
        }
    }
}
