import Foundation
import MinibotProtocol

extension ArbiterStateMachine {
    mutating func handle(_ request: AgentRequest, from connection: ConnectionID, now: Date, into actions: inout [Action]) {
        func reply(_ event: AgentEvent) {
            actions.append(Action(connection: connection, event: event))
        }
        func refuse(_ code: String, _ message: String) {
            reply(.refused(.init(replyTo: request.id, code: code, message: message)))
        }

        if case .hello(let hello) = request {
            guard hello.version == AgentRequest.protocolVersion else {
                return refuse("version", "agent speaks protocol version \(AgentRequest.protocolVersion), not \(hello.version)")
            }
            greeted.insert(connection)
            return reply(.welcome(.init(replyTo: hello.id, agent: agentID, slots: configuration.slots,
                                        leaseTTL: configuration.leaseTTL, offerTimeout: configuration.offerTimeout,
                                        recoveringUntil: recoveringUntil)))
        }
        // `status` works without hello so that `minibot-agent status` stays a one-liner to script.
        if case .status(let query) = request {
            return reply(.status(.init(replyTo: query.id, report: status(now: now))))
        }
        guard greeted.contains(connection) else {
            return refuse("not_hello", "send hello first")
        }

        switch request {
        case .hello, .status:
            break // answered above

        case .subscribe(let message):
            let key = SubscriptionKey(connection: connection, name: message.subscription)
            if var existing = subscriptions[key] {
                existing.master = message.master
                existing.worker = message.worker
                existing.builder = message.builder
                existing.priority = message.priority
                subscriptions[key] = existing
            } else {
                nextSequence += 1
                subscriptions[key] = Subscription(
                    key: key, master: message.master, worker: message.worker, builder: message.builder,
                    priority: message.priority, since: min(message.since ?? now, now),
                    sequence: nextSequence, lastReason: nil)
            }
            reply(.ok(.init(replyTo: message.id)))

        case .withdraw(let message):
            let key = SubscriptionKey(connection: connection, name: message.subscription)
            subscriptions[key] = nil
            if offer?.key == key { offer = nil }
            reply(.ok(.init(replyTo: message.id)))

        case .decline(let message):
            // Idempotent: declining an offer that already moved on is harmless.
            if let current = offer, current.id == message.offer, current.key.connection == connection {
                offer = nil
                subscriptions[current.key] = nil
            }
            reply(.ok(.init(replyTo: message.id)))

        case .claim(let message):
            guard let current = offer, current.id == message.offer, current.key.connection == connection,
                  let subscription = subscriptions[current.key]
            else {
                return refuse("unknown_offer", "offer \(message.offer) is not open: it timed out, was withdrawn, or is not yours")
            }
            offer = nil
            subscriptions[current.key] = nil
            let lease = AgentLease(
                lease: "\(agentID)-\(nextLeaseNumber)", token: nextToken,
                master: subscription.master, worker: subscription.worker, builder: subscription.builder,
                build: message.build, since: now, expiresAt: now.addingTimeInterval(configuration.leaseTTL))
            nextLeaseNumber += 1
            nextToken += 1
            leases[lease.lease] = Lease(wire: lease, holder: connection)
            lastGrant = now
            recentGrants.append(now)
            reply(.lease(.init(replyTo: message.id, lease: lease)))

        case .renew(let message):
            guard let lease = leases[message.lease] else {
                return refuse("unknown_lease", "lease \(message.lease) expired or was released")
            }
            guard lease.wire.token == message.token else {
                return refuse("stale_token", "token \(message.token) is stale for lease \(message.lease)")
            }
            let expiresAt = now.addingTimeInterval(configuration.leaseTTL)
            leases[message.lease]?.wire.expiresAt = expiresAt
            leases[message.lease]?.holder = connection
            reply(.renewed(.init(replyTo: message.id, lease: message.lease, token: message.token, expiresAt: expiresAt)))

        case .release(let message):
            guard let lease = leases[message.lease] else {
                return refuse("unknown_lease", "lease \(message.lease) expired or was released")
            }
            guard lease.wire.token == message.token else {
                return refuse("stale_token", "token \(message.token) is stale for lease \(message.lease)")
            }
            leases[message.lease] = nil
            reply(.ok(.init(replyTo: message.id)))

        case .reregister(let message):
            reregister(message, from: connection, now: now, into: &actions)
        }
    }

    /// A running build announces its lease again, after a reconnect or an agent restart.
    ///
    /// A lease still known is simply renewed (same token only). An unknown one is accepted while
    /// it fits in the free slots — during recovery, or later for a build that was slow to come
    /// back: the build runs either way, and counting it is more truthful than refusing it.
    mutating func reregister(_ message: AgentRequest.Reregister, from connection: ConnectionID, now: Date, into actions: inout [Action]) {
        let expiresAt = now.addingTimeInterval(configuration.leaseTTL)
        let renewed = AgentEvent.renewed(.init(replyTo: message.id, lease: message.lease.lease,
                                               token: message.lease.token, expiresAt: expiresAt))
        if let known = leases[message.lease.lease] {
            guard known.wire.token == message.lease.token else {
                return actions.append(Action(connection: connection, event: .refused(.init(
                    replyTo: message.id, code: "stale_token",
                    message: "token \(message.lease.token) is stale for lease \(message.lease.lease)"))))
            }
            leases[message.lease.lease]?.wire.expiresAt = expiresAt
            leases[message.lease.lease]?.holder = connection
            return actions.append(Action(connection: connection, event: renewed))
        }
        let taken = leases.count + (offer == nil ? 0 : 1)
        guard taken < configuration.slots else {
            return actions.append(Action(connection: connection, event: .refused(.init(
                replyTo: message.id, code: "over_capacity",
                message: "all \(configuration.slots) host slot(s) are taken; lease \(message.lease.lease) cannot be re-registered"))))
        }
        var lease = message.lease
        lease.expiresAt = expiresAt
        leases[lease.lease] = Lease(wire: lease, holder: connection)
        // Tokens issued from now on must fence this one off.
        nextToken = max(nextToken, lease.token &+ 1)
        actions.append(Action(connection: connection, event: renewed))
    }
}
