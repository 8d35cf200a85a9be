import Foundation
import Logging
import MinibotCore
import MinibotProtocol
import ServiceLifecycle

/// Relays between the host agent and this worker's master (contract: `AgentRelayWire.swift`).
///
/// A `Service` run beside the ``Worker`` when `--agent PATH` is given. It owns the
/// ``AgentClient`` (which reconnects with backoff, holds and renews leases, and re-registers
/// them after an agent restart), turns the master's `agent_*` plugin messages into agent
/// requests, and the agent's events into `agent_*` messages to the master. When the master link
/// drops it gives back everything it holds for that master: running steps are being killed
/// anyway, and a slot must not stay taken until `lease_ttl` runs out.
public actor AgentRelay: Service {
    /// The plugin channel the relay shares with the availability plugin.
    public static let channel = "availability"

    private let worker: Worker
    private let client: AgentClient
    private let logger: Logger
    /// Offers out to us, by id, until claimed, declined or withdrawn.
    private var offers: [UInt64: AgentEvent.Offer] = [:]
    /// Subscriptions the master asked for and has not withdrawn.
    private var subscriptions: Set<String> = []
    private var isMasterLinked = false
    /// Counts master links: a claim answered after the link it came on dropped belongs to
    /// nobody (the new master never asked for it).
    private var linkGeneration: UInt64 = 0
    /// The last agent link state, told to the master after every (re)connect.
    private var agentState: AgentRelayMessage = .unreachable(reason: "connecting to the host agent")

    public init(worker: Worker, socketPath: String, logger: Logger) {
        self.worker = worker
        self.client = AgentClient(configuration: .init(socketPath: socketPath, clientName: worker.configuration.name),
                                  logger: logger)
        self.logger = logger
    }

    /// The client, for tests and status.
    public nonisolated var agentClient: AgentClient { client }

    public func run() async throws {
        // Listen to the master before anything can be said to it, so no subscribe is lost.
        let fromMaster = await worker.pluginMessages(named: Self.channel)
        let links = await worker.linkStates()
        let client = self.client
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await client.run() }
                group.addTask {
                    for await event in client.events { await self.agentEvent(event) }
                }
                group.addTask {
                    for await payload in fromMaster where AgentRelayMessage.isRelayPayload(payload) {
                        await self.masterMessage(payload)
                    }
                }
                group.addTask {
                    for await isUp in links { await self.masterLink(isUp: isUp) }
                }
                // Until cancelled: the streams above do not end by themselves.
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                group.cancelAll()
            }
        }
    }

    // MARK: agent → master

    private func agentEvent(_ event: AgentClient.Event) async {
        switch event {
        case .connected(let welcome):
            agentState = .connected(agent: welcome.agent, slots: welcome.slots)
            await tell(agentState)
        case .unreachable(let reason):
            // Offers die with the agent link; subscriptions are re-sent by the client.
            offers = [:]
            agentState = .unreachable(reason: reason)
            await tell(agentState)
        case .offered(let offer):
            guard isMasterLinked, subscriptions.contains(offer.subscription) else {
                // Nobody can claim it: give the slot to the next subscriber at once.
                try? await client.decline(offer)
                return
            }
            offers[offer.offer] = offer
            await tell(.offer(offer: offer.offer, subscription: offer.subscription, expiresAt: offer.expiresAt))
        case .offerWithdrawn(let withdrawn):
            offers[withdrawn.offer] = nil
            await tell(.offerWithdrawn(offer: withdrawn.offer, subscription: withdrawn.subscription, reason: withdrawn.reason))
        case .waiting(let waiting):
            await tell(.waiting(subscription: waiting.subscription, reason: waiting.reason, until: waiting.until))
        case .leaseLost(let lease, let reason):
            logger.warning("host agent lease lost", metadata: ["lease": "\(lease.lease)", "build": "\(lease.build)", "reason": "\(reason)"])
            await tell(.leaseLost(lease: lease.lease, build: lease.build, reason: reason))
        case .leaseRenewed:
            break  // the client renews on its own; the master need not hear of it
        }
    }

    private func tell(_ message: AgentRelayMessage) async {
        guard isMasterLinked else { return }
        await worker.sendPlugin(name: Self.channel, payload: message.json)
    }

    // MARK: master → agent

    private func masterMessage(_ payload: JSONValue) async {
        guard let message = AgentRelayMessage(json: payload) else {
            logger.warning("ignoring a malformed host agent message from the master", metadata: ["payload": "\(payload)"])
            return
        }
        switch message {
        case .subscribe(let name, let master, let builder, let priority, let since):
            subscriptions.insert(name)
            do {
                try await client.subscribe(.init(name: name, master: master, worker: worker.configuration.name,
                                                 builder: builder, priority: priority, since: since))
            } catch {
                logger.info("subscription not acknowledged by the host agent (re-sent on reconnect)", metadata: ["error": "\(error)"])
            }
        case .withdraw(let name):
            subscriptions.remove(name)
            for (id, offer) in offers where offer.subscription == name { offers[id] = nil }
            try? await client.withdraw(name)
        case .claim(let id, let build):
            guard let offer = offers.removeValue(forKey: id) else {
                await tell(.claimFailed(offer: id, error: "offer \(id) expired or was withdrawn"))
                return
            }
            let generation = linkGeneration
            do {
                let lease = try await client.claim(offer, build: build)
                subscriptions.remove(offer.subscription)
                // Found by scripts/faults: a master killed while this claim was in flight left
                // the lease held (and renewed) for ever, so the host's slot stayed busy.
                guard isMasterLinked, generation == linkGeneration else {
                    logger.info("master link lost during a claim: releasing its host agent lease",
                                metadata: ["lease": "\(lease.lease)", "build": "\(lease.build)"])
                    await client.release(lease)
                    return
                }
                await tell(.lease(offer: id, lease: lease))
            } catch {
                await tell(.claimFailed(offer: id, error: "\(error)"))
            }
        case .decline(let id):
            subscriptions.remove(offers[id]?.subscription ?? "")
            if let offer = offers.removeValue(forKey: id) { try? await client.decline(offer) }
        case .release(let name):
            if let lease = await client.heldLeases.first(where: { $0.lease == name }) { await client.release(lease) }
        default:
            logger.debug("ignoring a worker-to-master relay message sent by the master", metadata: ["payload": "\(payload)"])
        }
    }

    // MARK: the master link

    private func masterLink(isUp: Bool) async {
        guard isUp != isMasterLinked else { return }
        isMasterLinked = isUp
        linkGeneration &+= 1
        if isUp {
            // The master forgot what it asked for when the link dropped: tell it where we stand.
            await tell(agentState)
            return
        }
        // The master's builds here are being killed, and it will not release or claim anything
        // it asked for on the old link: give it all back now.
        let held = await client.heldLeases
        for lease in held {
            logger.info("master link lost: releasing host agent lease", metadata: ["lease": "\(lease.lease)", "build": "\(lease.build)"])
            await client.release(lease)
        }
        let pendingOffers = Array(offers.values)
        offers = [:]
        for offer in pendingOffers { try? await client.decline(offer) }
        let names = subscriptions
        subscriptions = []
        for name in names { try? await client.withdraw(name) }
    }
}
