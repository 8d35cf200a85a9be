import Foundation
import Logging
import MinibotCore
import MinibotStore
import ServiceLifecycle

/// Keeps this master alive in a ``SharedStore`` and reaps the dead: registers at start, then
/// every ``Configuration/interval`` renews its lease and runs the reaper. Every time that
/// decides who is alive is the database's; the master's clock only paces the loop.
///
/// A refused heartbeat means another master declared this one dead and released its claims
/// (it did not run for a lease: stopped, swapped out, cut off from the database): it stops its
/// builds at once (RETRY; their steps, slots and host-agent leases are given back; any late
/// write of theirs is refused by the store's fencing anyway) and registers again as a new
/// generation. When the reaper released another master's claims, the distributor reloads the
/// pending requests, so this master builds them.
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
    /// The hash of the running master.cfg, read at each heartbeat (a reload changes it).
    let configHash: @Sendable () -> String?
    let distributor: Distributor
    /// Stops this master's running builds (RETRY) when it finds itself declared dead.
    let runner: BuildRunner
    /// The jobs this master runs, and the configuration that names them.
    let jobs: JobOwnership
    /// Told of the jobs this master has just taken (its pollers poll at once).
    let gained: @Sendable (Set<String>) -> Void
    let config: @Sendable () -> MasterConfig
    let events: EventLog
    let logger: Logger
    let clock: any WallClock
    var configuration = Configuration()

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var registration: MasterLease?
            while !Task.isCancelled {
                registration = await beat(registration)
                await reap()
                await holdJobs(registered: registration != nil)
                try? await clock.sleep(seconds: configuration.interval)
            }
        }
    }

    /// Registers or renews; the registration held afterwards (nil when the store failed).
    private func beat(_ registration: MasterLease?) async -> MasterLease? {
        do {
            var stopped: Int?
            if let registration {
                if try await store.heartbeat(registration, lease: configuration.lease, configHash: configHash()) {
                    return registration
                }
                logger.error("this master was declared dead by another (its lease passed); its claims were released: stopping its builds and registering again",
                             metadata: ["generation": "\(registration.generation)"])
                stopped = await runner.retryAll(reason: "this master was declared dead (its lease passed); "
                                                + "the build runs again")
            }
            let fresh = try await store.registerMaster(name: masterName, configHash: configHash(),
                                                       lease: configuration.lease)
            logger.info("master registered", metadata: ["generation": "\(fresh.generation)"])
            if let registration, let stopped {
                events.record(.masterFenced, ["generation": .number(Double(fresh.generation)),
                                              "previous": .number(Double(registration.generation)),
                                              "stopped": .number(Double(stopped))])
            }
            return fresh
        } catch {
            logger.error("could not renew this master's lease: \(error)")
            return registration
        }
    }

    /// Takes or renews this master's schedulers and pollers; none while it is not registered
    /// (another may hold them by now).
    private func holdJobs(registered: Bool) async {
        guard registered else {
            announce(jobs.hold([]), held: [])
            return
        }
        do {
            let held = try await store.holdJobs(JobOwnership.jobs(of: config()), master: masterName,
                                                lease: configuration.lease)
            announce(jobs.hold(held), held: held)
        } catch {
            // Keep what is held: its rows stay this master's until they expire.
            logger.error("could not renew this master's schedulers and pollers: \(error)")
        }
    }

    private func announce(_ change: (gained: Set<String>, lost: Set<String>), held: Set<String>) {
        guard !change.gained.isEmpty || !change.lost.isEmpty else { return }
        logger.notice("the schedulers and pollers this master runs changed",
                      metadata: ["jobs": "\(held.sorted())", "gained": "\(change.gained.sorted())",
                                 "lost": "\(change.lost.sorted())"])
        let list: (Set<String>) -> JSONValue = { .array($0.sorted().map(JSONValue.string)) }
        events.record(.jobsChanged, ["jobs": list(held), "gained": list(change.gained), "lost": list(change.lost)])
        if !change.gained.isEmpty { gained(change.gained) }
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
