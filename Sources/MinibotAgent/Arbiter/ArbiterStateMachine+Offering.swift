import Foundation
import MinibotCore
import MinibotProtocol

extension ArbiterStateMachine {
    /// Load plus the expected load of grants within the window: a build started a few seconds
    /// ago has not shown up in the 1-minute average yet, but it will.
    public var effectiveLoad: Double? {
        load.map { $0.load1 + configuration.grantLoad * Double(recentGrants.count) }
    }

    /// After every input: update the load hysteresis, make the next offer if nothing blocks it,
    /// and tell every waiting subscriber why it waits (when that changed).
    mutating func progress(now: Date, into actions: inout [Action]) {
        updateHysteresis()
        if offer == nil, blockReason(now: now) == nil, let next = nextSubscription() {
            nextOfferID += 1
            let made = Offer(id: nextOfferID - 1, key: next.key, expiresAt: now.addingTimeInterval(configuration.offerTimeout))
            offer = made
            serveCounter += 1
            lastServed[next.master] = serveCounter
            // Forget the last reason: if the offer times out, the subscriber hears the reason again.
            subscriptions[next.key]?.lastReason = nil
            actions.append(Action(connection: next.key.connection, event: .offer(.init(
                offer: made.id, subscription: next.key.name, expiresAt: made.expiresAt))))
        }
        for key in subscriptions.keys.sorted(by: { ($0.connection, $0.name) < ($1.connection, $1.name) }) {
            guard let subscription = subscriptions[key], offer?.key != key,
                  let reason = waitReason(for: subscription, now: now)
            else { continue }
            if reason.differs(from: subscription.lastReason) {
                subscriptions[key]?.lastReason = reason
                actions.append(Action(connection: key.connection, event: .waiting(.init(
                    subscription: key.name, reason: reason.message, until: reason.until))))
            }
        }
    }

    mutating func updateHysteresis() {
        if let effective = effectiveLoad { loadThreshold?.update(effective) }
        if let pressure = load?.cpuPressureSome10 { pressureThreshold?.update(pressure) }
    }

    /// Why no offer can be made now, whoever asks; nil when one can.
    func blockReason(now: Date) -> WaitReason? {
        if let until = recoveringUntil {
            return WaitReason(kind: .recovering,
                              message: "agent restarted: waiting \(Self.countdown(until, now)) for running builds to re-register",
                              until: until)
        }
        if let hostBlock {
            return WaitReason(kind: .hostBlocked, message: hostBlock.reason, until: hostBlock.until)
        }
        if leases.count >= configuration.slots {
            let holders = activeLeases.map { "build \($0.build) of master \($0.master)" }.joined(separator: ", ")
            let message = configuration.slots == 1
                ? "host slot busy (\(holders))"
                : "all \(configuration.slots) host slots busy (\(holders))"
            return WaitReason(kind: .slotsBusy, message: message, until: nil)
        }
        if let lastGrant, lastGrant.addingTimeInterval(configuration.settle) > now {
            let until = lastGrant.addingTimeInterval(configuration.settle)
            return WaitReason(kind: .settling, message: "settling \(Self.countdown(until, now))", until: until)
        }
        if let threshold = loadThreshold {
            let maxLoad = threshold.max
            guard let load, let effective = effectiveLoad else {
                return WaitReason(kind: .noLoadSample, message: "no load sample yet", until: nil)
            }
            if threshold.isBlocked {
                let expected = effective > load.load1
                    ? " (\(Self.decimal(load.load1)) + \(Self.decimal(effective - load.load1)) expected from recent grants)"
                    : ""
                let message = effective > maxLoad
                    ? "load \(Self.decimal(effective)) > \(Self.decimal(maxLoad))\(expected)"
                    : "load \(Self.decimal(effective)) not yet below \(Self.decimal(threshold.resume)) after exceeding \(Self.decimal(maxLoad))\(expected)"
                return WaitReason(kind: .load, message: message, until: nil)
            }
        }
        if let threshold = pressureThreshold, threshold.isBlocked, let pressure = load?.cpuPressureSome10 {
            let maxPressure = threshold.max
            let message = pressure > maxPressure
                ? "cpu pressure \(Self.decimal(pressure))% > \(Self.decimal(maxPressure))%"
                : "cpu pressure \(Self.decimal(pressure))% not yet below \(Self.decimal(threshold.resume))%"
            return WaitReason(kind: .cpuPressure, message: message, until: nil)
        }
        return nil
    }

    func waitReason(for subscription: Subscription, now: Date) -> WaitReason? {
        if let reason = blockReason(now: now) { return reason }
        if let offer, let holder = subscriptions[offer.key] {
            return WaitReason(kind: .offeredElsewhere,
                              message: "slot offered to builder \(holder.builder) of master \(holder.master)",
                              until: offer.expiresAt)
        }
        return nil
    }

    /// The subscription the next offer goes to: masters round-robin (the one served longest ago
    /// first, then the one whose best subscription is oldest), and inside a master the highest
    /// priority, then the oldest. Subscribers that let offers time out go behind the others.
    func nextSubscription() -> Subscription? {
        servingOrder(limit: 1).first
    }

    /// The whole queue in serving order, assuming no new subscriptions arrive.
    func servingOrder(limit: Int = .max) -> [Subscription] {
        var byMaster: [String: [Subscription]] = [:]
        for subscription in subscriptions.values {
            byMaster[subscription.master, default: []].append(subscription)
        }
        for master in byMaster.keys {
            byMaster[master]!.sort(by: Self.servedBefore)
        }
        var served = lastServed
        var counter = serveCounter
        var order: [Subscription] = []
        while order.count < limit, !byMaster.isEmpty {
            let master = byMaster.keys.min { a, b in
                let sa = served[a] ?? 0, sb = served[b] ?? 0
                if sa != sb { return sa < sb }
                let oldestA = byMaster[a]!.first!, oldestB = byMaster[b]!.first!
                if oldestA.since != oldestB.since { return oldestA.since < oldestB.since }
                return a < b
            }!
            order.append(byMaster[master]!.removeFirst())
            if byMaster[master]!.isEmpty { byMaster[master] = nil }
            counter += 1
            served[master] = counter
        }
        return order
    }

    static func servedBefore(_ a: Subscription, _ b: Subscription) -> Bool {
        if a.priority != b.priority { return a.priority > b.priority }
        if a.since != b.since { return a.since < b.since }
        return a.sequence < b.sequence
    }

    static func countdown(_ until: Date, _ now: Date) -> String {
        "\(max(0, Int(until.timeIntervalSince(now).rounded(.up)))) s"
    }

    static func decimal(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
