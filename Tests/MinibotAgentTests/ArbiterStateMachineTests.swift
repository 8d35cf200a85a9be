import Foundation
import MinibotAgent
import MinibotProtocol
import Testing

@Suite struct ArbiterStateMachineTests {
    typealias Config = ArbiterStateMachine.Configuration

    @Test func neverMoreLeasesThanSlots() throws {
        var h = ArbiterHarness(Config(slots: 2, settle: 0))
        for c in 1...3 { h.hello(c) }
        let first = ArbiterHarness.offers(h.subscribe(1, "s1"))
        #expect(first.count == 1)
        h.subscribe(2, "s2")
        h.subscribe(3, "s3")
        let lease1 = try h.claim(1, first[0].offer.offer).get()
        let second = ArbiterHarness.offers(Array(h.sent.suffix(4)))
        #expect(second.map(\.connection) == [2])
        _ = try h.claim(2, second[0].offer.offer).get()
        #expect(h.machine.currentOffer == nil)
        #expect(h.machine.activeLeases.count == 2)
        let waiting = ArbiterHarness.waiting(h.sent, for: "s3")
        #expect(waiting?.reason.hasPrefix("all 2 host slots busy (build 1 of master M") == true)

        let released = h.send(.request(.release(.init(id: 9, lease: lease1.lease, token: lease1.token)), from: 1))
        #expect(released.first?.event == .ok(.init(replyTo: 9)))
        #expect(ArbiterHarness.offers(released).map(\.connection) == [3])
    }

    @Test func settleSpacesGrants() throws {
        var h = ArbiterHarness(Config(slots: 3, settle: 30))
        h.hello(1); h.hello(2)
        let offer = ArbiterHarness.offers(h.subscribe(1, "s1"))[0].offer
        _ = try h.claim(1, offer.offer).get()
        let start = h.now
        let actions = h.subscribe(2, "s2")
        #expect(ArbiterHarness.offers(actions).isEmpty)
        let waiting = try #require(ArbiterHarness.waiting(actions, for: "s2"))
        #expect(waiting.reason == "settling 30 s")
        #expect(waiting.until == start.addingTimeInterval(30))
        #expect(ArbiterHarness.offers(h.advance(29)).isEmpty)
        #expect(h.machine.nextDeadline == start.addingTimeInterval(30))
        #expect(ArbiterHarness.offers(h.advanceToDeadline()).map(\.connection) == [2])
    }

    @Test func unclaimedOfferMovesToNextSubscriber() throws {
        var h = ArbiterHarness(Config(slots: 1, settle: 0, offerTimeout: 5))
        h.hello(1); h.hello(2)
        let offer1 = ArbiterHarness.offers(h.subscribe(1, "s1"))[0].offer
        h.subscribe(2, "s2")
        #expect(h.machine.nextDeadline == offer1.expiresAt)
        let actions = h.advanceToDeadline()
        #expect(actions.contains { $0.connection == 1 && $0.event == .offerWithdrawn(.init(offer: offer1.offer, subscription: "s1", reason: "not claimed within 5 s; subscribe again")) })
        let offer2 = try #require(ArbiterHarness.offers(actions).first)
        #expect(offer2.connection == 2)
        // The late claim is refused; the slot is not given twice.
        #expect(h.claim(1, offer1.offer) == .failure(Refusal(code: "unknown_offer")))
        _ = try h.claim(2, offer2.offer.offer).get()
        #expect(h.machine.activeLeases.count == 1)
    }

    /// Issue 12: a hung subscriber is not re-offered forever; it is dropped until it
    /// subscribes again.
    @Test func aSubscriberThatLetsAnOfferExpireIsDroppedUntilItSubscribesAgain() throws {
        var h = ArbiterHarness(Config(slots: 1, settle: 0, offerTimeout: 5))
        h.hello(1); h.hello(2)
        let offer1 = ArbiterHarness.offers(h.subscribe(1, "hung"))[0].offer
        h.subscribe(2, "s2")
        let offer2 = try #require(ArbiterHarness.offers(h.advanceToDeadline()).first)
        #expect(offer2.connection == 2)
        // s2 lets its offer expire too, and nobody else waits: no offer goes out again.
        let after = h.advanceToDeadline()
        #expect(ArbiterHarness.offers(after).isEmpty, "the dropped subscribers get no offer")
        #expect(offer1.offer != offer2.offer.offer)
        // Subscribing again is served at once.
        #expect(ArbiterHarness.offers(h.subscribe(1, "hung")).map(\.connection) == [1])
    }

    @Test func unrenewedLeaseExpiresAndFreesTheSlot() throws {
        var h = ArbiterHarness(Config(slots: 1, settle: 0, leaseTTL: 30))
        h.hello(1); h.hello(2)
        let offer = ArbiterHarness.offers(h.subscribe(1, "s1"))[0].offer
        let lease = try h.claim(1, offer.offer).get()
        h.subscribe(2, "s2")
        h.advance(20)
        let renewed = h.reply(1, .renew(.init(id: 7, lease: lease.lease, token: lease.token)))
        guard case .renewed(let r) = renewed else { Issue.record("expected renewed, got \(String(describing: renewed))"); return }
        #expect(r.expiresAt == h.now.addingTimeInterval(30))
        #expect(ArbiterHarness.offers(h.advance(29)).isEmpty)
        // The worker died: no renewal, and its connection closed without a release.
        h.send(.connectionClosed(1))
        let actions = h.advanceToDeadline()
        #expect(h.machine.activeLeases.isEmpty)
        #expect(ArbiterHarness.offers(actions).map(\.connection) == [2])
    }

    @Test func staleTokensAreRefused() throws {
        var h = ArbiterHarness(Config(slots: 1, settle: 0, leaseTTL: 30))
        h.hello(1); h.hello(2)
        let lease1 = try h.claim(1, ArbiterHarness.offers(h.subscribe(1, "s1"))[0].offer.offer).get()
        let expired = h.advance(31)
        #expect(expired.contains { $0.connection == 1 && $0.event == .leaseExpired(.init(lease: lease1.lease, token: lease1.token)) })
        let lease2 = try h.claim(2, ArbiterHarness.offers(h.subscribe(2, "s2"))[0].offer.offer).get()
        #expect(lease2.token > lease1.token)

        let late = h.reply(1, .renew(.init(id: 8, lease: lease1.lease, token: lease1.token)))
        #expect(late == .refused(.init(replyTo: 8, code: "unknown_lease", message: "lease \(lease1.lease) expired or was released")))
        let forged = h.reply(1, .release(.init(id: 9, lease: lease2.lease, token: lease1.token)))
        guard case .refused(let refused) = forged else { Issue.record("expected a refusal"); return }
        #expect(refused.code == "stale_token")
        #expect(h.machine.activeLeases == [lease2])
    }

    @Test func mastersAreServedRoundRobinWithPriorityThenAgeInside() throws {
        var h = ArbiterHarness(Config(slots: 1, settle: 0))
        h.hello(1); h.hello(2)
        let t0 = h.now
        // Connection 1 relays master M1 with three requests; M2 arrives later with one.
        h.subscribe(1, "m1-old", master: "M1", since: t0.addingTimeInterval(-300))
        h.subscribe(1, "m1-mid", master: "M1", since: t0.addingTimeInterval(-200))
        h.subscribe(1, "m1-urgent", master: "M1", priority: 5, since: t0.addingTimeInterval(-10))
        h.subscribe(2, "m2", master: "M2", since: t0.addingTimeInterval(-5))

        var served: [String] = []
        for _ in 0..<4 {
            let offer = try #require(h.machine.currentOffer)
            served.append(offer.subscription)
            let connection = offer.subscription.hasPrefix("m1") ? 1 : 2
            let lease = try h.claim(connection, offer.offer).get()
            h.send(.request(.release(.init(id: 1, lease: lease.lease, token: lease.token)), from: connection))
        }
        // The first offer went out on the first subscribe (M1's only request then).
        #expect(served == ["m1-old", "m2", "m1-urgent", "m1-mid"])
    }

    @Test func queueOrderIsVisibleInStatus() {
        var h = ArbiterHarness(Config(slots: 1, settle: 0), recovering: true)
        h.hello(1); h.hello(2)
        let t0 = h.now
        h.subscribe(1, "a1", master: "M1", since: t0.addingTimeInterval(-30))
        h.subscribe(1, "a2", master: "M1", since: t0.addingTimeInterval(-20))
        h.subscribe(2, "b1", master: "M2", since: t0.addingTimeInterval(-10))
        let status = h.machine.status(now: h.now)
        #expect(status.queue.map(\.subscription) == ["a1", "b1", "a2"])
        #expect(status.blocked?.hasPrefix("agent restarted") == true)
    }

    @Test func withdrawingTheOfferedSubscriptionMovesTheOfferOn() {
        var h = ArbiterHarness(Config(slots: 1, settle: 0))
        h.hello(1); h.hello(2)
        h.subscribe(1, "s1")
        h.subscribe(2, "s2")
        let actions = h.send(.request(.withdraw(.init(id: 5, subscription: "s1")), from: 1))
        #expect(actions.first == .init(connection: 1, event: .ok(.init(replyTo: 5))))
        #expect(ArbiterHarness.offers(actions).map(\.connection) == [2])
        #expect(h.machine.status(now: h.now).queue.map(\.subscription) == ["s2"])
    }

    @Test func declinedLateOfferGoesToNextSubscriberAtOnce() {
        // Master M subscribed through this agent and another; it already started elsewhere.
        var h = ArbiterHarness(Config(slots: 1, settle: 0, offerTimeout: 5))
        h.hello(1); h.hello(2)
        let offer = ArbiterHarness.offers(h.subscribe(1, "redundant", master: "M"))[0].offer
        h.subscribe(2, "other", master: "N")
        let actions = h.send(.request(.decline(.init(id: 6, offer: offer.offer)), from: 1))
        #expect(ArbiterHarness.offers(actions).map(\.connection) == [2])
        #expect(h.machine.status(now: h.now).queue.map(\.subscription) == ["other"])
        #expect(h.claim(1, offer.offer) == .failure(Refusal(code: "unknown_offer")))
    }

    @Test func restartedAgentTakesReRegistrationsForOneTTLThenOffersOnlyFreeSlots() throws {
        var h = ArbiterHarness(Config(slots: 1, settle: 0, leaseTTL: 30), recovering: true)
        h.hello(1); h.hello(2)
        let old = AgentLease(lease: "OLD-4", token: 4_000, master: "M2", worker: "w1", builder: "B", build: "12",
                             since: h.now.addingTimeInterval(-600), expiresAt: h.now)
        let actions = h.subscribe(2, "s2")
        #expect(ArbiterHarness.offers(actions).isEmpty)
        let waiting = try #require(ArbiterHarness.waiting(actions, for: "s2"))
        #expect(waiting.reason == "agent restarted: waiting 30 s for running builds to re-register")

        h.advance(10)
        guard case .renewed = h.reply(1, .reregister(.init(id: 3, lease: old))) else { Issue.record("re-registration refused"); return }
        var another = old
        another.lease = "OLD-5"; another.token = 4_001
        guard case .refused(let refused) = h.reply(1, .reregister(.init(id: 4, lease: another))) else {
            Issue.record("over-capacity re-registration accepted"); return
        }
        #expect(refused.code == "over_capacity")

        // Recovery ends: the slot is still held by the re-registered build, so no offer.
        let after = h.advance(20)
        #expect(ArbiterHarness.offers(after).isEmpty)
        #expect(ArbiterHarness.waiting(after, for: "s2")?.reason == "host slot busy (build 12 of master M2)")
        h.send(.request(.release(.init(id: 5, lease: old.lease, token: old.token)), from: 1))
        let offer = try #require(h.machine.currentOffer)
        let lease = try h.claim(2, offer.offer).get()
        #expect(lease.token > old.token, "new tokens fence off the re-registered ones")
    }

    @Test func loadHysteresisBlocksAboveMaxAndResumesBelowResume() throws {
        var h = ArbiterHarness(Config(slots: 1, maxLoad: 3.0, settle: 0), load: 3.4)
        h.hello(1)
        let actions = h.subscribe(1, "s1")
        #expect(ArbiterHarness.waiting(actions, for: "s1")?.reason == "load 3.4 > 3.0")
        h.sample(2.6)
        #expect(h.machine.currentOffer == nil)
        #expect(ArbiterHarness.waiting(h.sent, for: "s1")?.reason == "load 2.6 not yet below 2.4 after exceeding 3.0")
        h.sample(2.3)
        #expect(h.machine.currentOffer != nil)
    }

    @Test func recentGrantsCountAsExpectedLoad() throws {
        var h = ArbiterHarness(Config(slots: 2, maxLoad: 2.0, grantLoadWindow: 60, settle: 0), load: 1.5)
        h.hello(1); h.hello(2)
        _ = try h.claim(1, ArbiterHarness.offers(h.subscribe(1, "s1"))[0].offer.offer).get()
        let actions = h.subscribe(2, "s2")
        #expect(ArbiterHarness.offers(actions).isEmpty)
        #expect(ArbiterHarness.waiting(actions, for: "s2")?.reason == "load 2.5 > 2.0 (1.5 + 1.0 expected from recent grants)")
        #expect(ArbiterHarness.offers(h.advance(59)).isEmpty)
        // The grant leaves the window; the load average never showed it, so 1.5 < 1.6 resumes.
        #expect(ArbiterHarness.offers(h.advanceToDeadline()).map(\.connection) == [2])
    }

    @Test func cpuPressureBlocks() {
        var h = ArbiterHarness(Config(maxCPUPressure: 40, settle: 0), load: nil)
        h.sample(0.5, pressure: 55)
        h.hello(1)
        #expect(ArbiterHarness.waiting(h.subscribe(1, "s1"), for: "s1")?.reason == "cpu pressure 55.0% > 40.0%")
        h.sample(0.5, pressure: 10)
        #expect(h.machine.currentOffer != nil)
    }

    @Test func hostBlockHoldsOffersWithItsReasonAndEnd() throws {
        var h = ArbiterHarness(Config(settle: 0))
        let end = h.now.addingTimeInterval(3600)
        h.send(.hostBlockChanged(HostBlock(reason: "outside hours Mon-Fri 09:00-17:00", until: end)))
        h.hello(1)
        let waiting = try #require(ArbiterHarness.waiting(h.subscribe(1, "s1"), for: "s1"))
        #expect(waiting == .init(subscription: "s1", reason: "outside hours Mon-Fri 09:00-17:00", until: end))
        #expect(h.machine.nextDeadline == end)
        #expect(ArbiterHarness.offers(h.send(.hostBlockChanged(nil))).count == 1)
    }

    @Test func requestsBeforeHelloAreRefused() {
        var h = ArbiterHarness(Config())
        let actions = h.subscribe(1, "s1")
        guard case .refused(let refused) = actions.first?.event else { Issue.record("expected refusal"); return }
        #expect(refused.code == "not_hello")
        #expect(h.machine.currentOffer == nil)
    }

    @Test func closingAConnectionDropsItsSubscriptionsAndOfferButNotItsLeases() throws {
        var h = ArbiterHarness(Config(slots: 2, settle: 0))
        h.hello(1); h.hello(2)
        _ = try h.claim(1, ArbiterHarness.offers(h.subscribe(1, "s1"))[0].offer.offer).get()
        h.subscribe(1, "s1b")
        h.subscribe(2, "s2")
        #expect(h.machine.currentOffer?.subscription == "s1b")
        let actions = h.send(.connectionClosed(1))
        #expect(ArbiterHarness.offers(actions).map(\.connection) == [2])
        #expect(h.machine.activeLeases.count == 1)
    }

    @Test func randomScriptsNeverOverGrant() {
        var rng = SplitMix(seed: 42)
        for _ in 0..<50 {
            let slots = Int.random(in: 1...3, using: &rng)
            var h = ArbiterHarness(Config(slots: slots, maxLoad: 4, settle: 2, offerTimeout: 3, leaseTTL: 10),
                                   recovering: Bool.random(using: &rng))
            var leases: [Int: [AgentLease]] = [:]
            for step in 0..<200 {
                let c = Int.random(in: 1...4, using: &rng)
                switch Int.random(in: 0..<9, using: &rng) {
                case 0: h.hello(c)
                case 1: h.subscribe(c, "s\(step)", master: "M\(c % 2)", priority: Int.random(in: 0...2, using: &rng))
                case 2:
                    if let offer = h.machine.currentOffer, case .success(let lease) = h.claim(c, offer.offer) {
                        leases[c, default: []].append(lease)
                    }
                case 3:
                    if let lease = leases[c]?.popLast() {
                        h.send(.request(.release(.init(id: 1, lease: lease.lease, token: lease.token)), from: c))
                    }
                case 4:
                    for lease in leases[c] ?? [] {
                        h.send(.request(.renew(.init(id: 1, lease: lease.lease, token: lease.token)), from: c))
                    }
                case 5: h.send(.connectionClosed(c))
                case 6: h.sample(Double.random(in: 0...6, using: &rng))
                case 7:
                    let lease = AgentLease(lease: "R\(step)", token: UInt64(step), master: "M", worker: "w", builder: "B",
                                           build: "x", since: h.now, expiresAt: h.now)
                    h.send(.request(.reregister(.init(id: 1, lease: lease)), from: c))
                default: h.advance(Double.random(in: 0...6, using: &rng))
                }
                #expect(h.machine.activeLeases.count <= slots)
            }
        }
    }
}

/// A seeded generator, so that a failing random script can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
