import Foundation
@testable import MinibotAvailability
import MinibotCore
import MinibotProtocol
import Testing

/// The master's agent table as a value: every transition, without a worker or a clock.
@Suite struct HostGateTableTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func request(_ id: Int64, priority: Int = 0) -> PendingRequest {
        PendingRequest(id: id, builder: "b", priority: priority, submittedAt: t0)
    }

    func admit(_ table: inout HostGateTable, _ id: Int64, on worker: String = "w1", at now: Date? = nil)
        -> HostGateTable.AdmitStep {
        table.admit(request(id), worker: worker, agent: "/run/agent.sock", host: "h", master: "m", now: now ?? t0)
    }

    func lease(_ name: String, token: UInt64 = 7) -> AgentLease {
        AgentLease(lease: name, token: token, master: "m", worker: "w1", builder: "b", build: "b request 1",
                   since: t0, expiresAt: t0.addingTimeInterval(30))
    }

    @Test func theFirstAdmitSubscribesOnceAndLaterOnesExplain() {
        var table = HostGateTable()
        #expect(admit(&table, 1) == .later(reason: "waiting for host agent on h: asking for a slot", until: nil, actions: [
            .send(worker: "w1", .subscribe(subscription: "request-1", master: "m", builder: "b", priority: 0, since: t0)),
        ]))
        let until = t0.addingTimeInterval(60)
        #expect(table.handle(.waiting(subscription: "request-1", reason: "load 3.2 > 3", until: until), from: "w1",
                             workerIsFull: false) == [.wake("host agent of w1: load 3.2 > 3")])
        #expect(table.handle(.waiting(subscription: "request-1", reason: "load 3.2 > 3", until: until), from: "w1",
                             workerIsFull: false) == [], "an unchanged reason wakes nobody")
        #expect(admit(&table, 1) == .later(reason: "waiting for host agent on h: load 3.2 > 3", until: until, actions: []))
    }

    @Test func anOfferIsClaimedOnceAndAnExpiredOneIsNot() {
        var table = HostGateTable()
        _ = admit(&table, 1)
        #expect(table.handle(.offer(offer: 5, subscription: "request-1", expiresAt: t0.addingTimeInterval(5)), from: "w1",
                             workerIsFull: false) == [.wake("host agent of w1 offered a slot for request 1")])
        #expect(admit(&table, 1) == .claim(offer: 5))
        #expect(admit(&table, 1) == .later(reason: "waiting for host agent on h: slot offered", until: nil, actions: []))

        _ = table.handle(.offer(offer: 6, subscription: "request-1", expiresAt: t0.addingTimeInterval(5)), from: "w1",
                         workerIsFull: false)
        guard case .later = admit(&table, 1, at: t0.addingTimeInterval(6)) else {
            Issue.record("an expired offer must not be claimed")
            return
        }
    }

    @Test func aLeaseBecomesAPermitAndIsReleased() {
        var table = HostGateTable()
        _ = admit(&table, 1)
        let (admission, actions) = table.claimAnswered(.lease(offer: 5, lease: lease("L1")), request: request(1),
                                                       worker: "w1", host: "h")
        guard case .now(let permit) = admission else {
            Issue.record("expected a permit")
            return
        }
        #expect(permit.detail["lease"]?.stringValue == "L1")
        #expect(permit.detail["token"] == .number(7))
        #expect(actions.count == 1)
        #expect(table.leaseRequests == ["L1": 1])
        #expect(table.workers["w1"]?.subscriptions[1] == nil)
        #expect(table.released(lease: "L1", worker: "w1") == [.send(worker: "w1", .release(lease: "L1"))])
        #expect(table.leaseRequests.isEmpty)
    }

    @Test func aFailedOrUnansweredClaimWaits() {
        var table = HostGateTable()
        #expect(table.claimAnswered(.claimFailed(offer: 5, error: "expired"), request: request(1), worker: "w1", host: "h").0
            == .later(reason: "waiting for host agent on h: claim failed (expired)", until: nil))
        #expect(table.claimAnswered(nil, request: request(1), worker: "w1", host: "h").0
            == .later(reason: "waiting for host agent on h: no answer to a claim", until: nil))
    }

    @Test func claimAnswersGoToTheWaitingAdmit() {
        var table = HostGateTable()
        let answer = AgentRelayMessage.claimFailed(offer: 3, error: "x")
        #expect(table.handle(answer, from: "w1", workerIsFull: false) == [.answerClaim(worker: "w1", offer: 3, answer)])
    }

    @Test func firstGrantWinsTheOthersAreWithdrawnAndLateOffersDeclined() {
        var table = HostGateTable()
        _ = admit(&table, 1, on: "w1")
        _ = admit(&table, 1, on: "w2")
        #expect(table.requestDone(1) == [
            .send(worker: "w1", .withdraw(subscription: "request-1")),
            .send(worker: "w2", .withdraw(subscription: "request-1")),
        ])
        #expect(table.handle(.offer(offer: 9, subscription: "request-1", expiresAt: t0), from: "w2", workerIsFull: false)
            == [.send(worker: "w2", .decline(offer: 9))])
    }

    /// A relay that reconnects makes the table forget its subscriptions; an offer still on its
    /// way for one of them is declined, and the distributor is woken so the request, still
    /// pending, subscribes afresh rather than waiting for an offer the agent no longer owes it.
    @Test func anOfferForAForgottenSubscriptionWakesTheDistributor() {
        var table = HostGateTable()
        _ = admit(&table, 1)
        _ = table.handle(.connected(agent: "a", slots: 1), from: "w1", workerIsFull: false)
        let actions = table.handle(.offer(offer: 2, subscription: "request-1", expiresAt: t0.addingTimeInterval(5)),
                                   from: "w1", workerIsFull: false)
        #expect(actions.first == .send(worker: "w1", .decline(offer: 2)))
        #expect(actions.contains { if case .wake = $0 { true } else { false } })
        if case .later(_, _, let again) = admit(&table, 1) {
            #expect(again.count == 1, "it subscribes afresh")
        } else {
            Issue.record("the request must subscribe again")
        }
    }

    /// Found by scripts/faults: a request whose build ended RETRY (its worker was killed) is
    /// pending again, and the offers for it must be claimed, not declined as late.
    @Test func aRequestThatRunsAgainAfterRetryTakesOffersAgain() {
        var table = HostGateTable()
        _ = admit(&table, 9)
        _ = table.requestDone(9)
        #expect(table.handle(.offer(offer: 1, subscription: "request-9", expiresAt: t0.addingTimeInterval(5)),
                             from: "w1", workerIsFull: false) == [.send(worker: "w1", .decline(offer: 1))])
        // RETRY: the distributor admits it again.
        table.workerDetached("w1")
        if case .later(_, _, let actions) = admit(&table, 9) {
            #expect(actions.count == 1, "it subscribes afresh")
        } else {
            Issue.record("a pending request must subscribe first")
        }
        #expect(table.handle(.offer(offer: 2, subscription: "request-9", expiresAt: t0.addingTimeInterval(5)),
                             from: "w1", workerIsFull: false) == [.wake("host agent of w1 offered a slot for request 9")])
        #expect(admit(&table, 9) == .claim(offer: 2))
    }

    @Test func anOfferToAFullWorkerIsDeclinedAndWithdrawn() {
        var table = HostGateTable()
        _ = admit(&table, 1)
        #expect(table.handle(.offer(offer: 4, subscription: "request-1", expiresAt: t0), from: "w1", workerIsFull: true) == [
            .send(worker: "w1", .decline(offer: 4)), .send(worker: "w1", .withdraw(subscription: "request-1")),
            .wake("host agent of w1 offered a slot while it was full: request 1 asks again"),
        ])
        #expect(table.workers["w1"]?.subscriptions[1] == nil)
        // "Full" may have been the request's own start in flight: admitted again, it subscribes afresh.
        if case .later(_, _, let again) = admit(&table, 1) {
            #expect(again.count == 1, "it subscribes afresh")
        } else {
            Issue.record("the request must subscribe again")
        }
    }

    @Test func anUnreachableAgentMakesTheWorkerUnavailableAndDropsOffers() {
        var table = HostGateTable()
        _ = admit(&table, 1)
        _ = table.handle(.offer(offer: 4, subscription: "request-1", expiresAt: t0.addingTimeInterval(9)), from: "w1",
                         workerIsFull: false)
        #expect(table.handle(.unreachable(reason: "socket gone"), from: "w1", workerIsFull: false)
            == [.log(.warning, "w1: host agent unreachable: socket gone", worker: "w1")])
        #expect(table.handle(.unreachable(reason: "socket gone"), from: "w1", workerIsFull: false) == [], "logged once")
        #expect(table.unreachable(["w1", "w2"]) == [.unavailable("w1", reason: "host agent unreachable (socket gone)")])
        #expect(admit(&table, 1) == .later(reason: "host agent unreachable on h: socket gone", until: nil, actions: []))
    }

    @Test func aReconnectedAgentForgetsSubscriptionsSoTheyAreMadeAgain() {
        var table = HostGateTable()
        _ = admit(&table, 1)
        #expect(table.handle(.connected(agent: "/run/agent.sock", slots: 1), from: "w1", workerIsFull: false).contains(
            .wake("host agent of w1 connected")))
        guard case .later(_, _, let actions) = admit(&table, 1), case .send(_, .subscribe)? = actions.first else {
            Issue.record("expected a new subscription")
            return
        }
    }

    @Test func aWithdrawnOfferIsForgottenOnlyIfItIsTheOneHeld() {
        var table = HostGateTable()
        _ = admit(&table, 1)
        _ = table.handle(.offer(offer: 4, subscription: "request-1", expiresAt: t0.addingTimeInterval(9)), from: "w1",
                         workerIsFull: false)
        _ = table.handle(.offerWithdrawn(offer: 3, subscription: "request-1", reason: "old"), from: "w1", workerIsFull: false)
        #expect(table.workers["w1"]?.subscriptions[1]?.offer?.id == 4)
        // The agent dropped the subscription with its offer: the next admit subscribes again.
        #expect(table.handle(.offerWithdrawn(offer: 4, subscription: "request-1", reason: "timeout"), from: "w1",
                             workerIsFull: false) == [.wake("host agent of w1 withdrew its offer for request 1")])
        #expect(table.workers["w1"]?.subscriptions[1] == nil)
        #expect(admit(&table, 1) == .later(reason: "waiting for host agent on h: asking for a slot", until: nil, actions: [
            .send(worker: "w1", .subscribe(subscription: "request-1", master: "m", builder: "b", priority: 0, since: t0)),
        ]))
    }

    @Test func aLostLeaseRetriesItsBuildOnce() {
        var table = HostGateTable()
        _ = admit(&table, 1)
        _ = table.claimAnswered(.lease(offer: 5, lease: lease("L1")), request: request(1), worker: "w1", host: "h")
        let actions = table.handle(.leaseLost(lease: "L1", build: "b request 1", reason: "expired"), from: "w1",
                                   workerIsFull: false)
        #expect(actions.last == .retryBuild(request: 1, reason: "host agent slot lost (expired)", worker: "w1"))
        #expect(table.handle(.leaseLost(lease: "L1", build: "b request 1", reason: "expired"), from: "w1",
                             workerIsFull: false).count == 1, "only the log line the second time")
    }

    @Test func masterToWorkerMessagesFromAWorkerAreIgnored() {
        var table = HostGateTable()
        #expect(table.handle(.release(lease: "x"), from: "w1", workerIsFull: false)
            == [.log(.warning, "ignoring a master-to-worker relay message sent by w1", worker: "w1")])
    }

    @Test func unknownSubscriptionNamesAreIgnored() {
        var table = HostGateTable()
        #expect(table.handle(.offer(offer: 1, subscription: "bogus", expiresAt: t0), from: "w1", workerIsFull: false) == [])
        #expect(HostGateTable.requestID("request-x") == nil)
        #expect(HostGateTable.requestID("request-12") == 12)
    }
}
