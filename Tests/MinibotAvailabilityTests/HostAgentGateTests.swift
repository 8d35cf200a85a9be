import Foundation
@testable import MinibotAvailability
import MinibotCore
import MinibotProtocol
import Testing

/// The master's side of the host agent, driven with relay messages as a worker would send them.
@Suite struct HostAgentGateTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func candidate(_ name: String, agent: String? = "/run/agent.sock") -> WorkerCandidate {
        WorkerCandidate(name: name, runningBuilds: 0, maxBuilds: 1,
                        info: WorkerInfo(hostname: "host-\(name)", os: "Linux", cpus: 2, version: "t",
                                           facts: agent.map { ["agent": $0] } ?? [:]))
    }

    func request(_ id: Int64) -> PendingRequest {
        PendingRequest(id: id, builder: "b", priority: 0, submittedAt: t0)
    }

    func messages(_ context: TestPluginContext, to worker: String) -> [AgentRelayMessage] {
        context.sent.items.filter { $0.worker == worker }.compactMap { AgentRelayMessage(json: $0.payload) }
    }

    @Test func subscribesThenExplainsThenClaimsTheOffer() async throws {
        let context = TestPluginContext(now: t0, workers: ["w1"])
        let gate = HostAgentGate(context: context) { _ in nil }
        let first = await gate.admit(request(7), on: candidate("w1"))
        #expect(first == .later(reason: "waiting for host agent on host-w1: asking for a slot", until: nil))
        #expect(messages(context, to: "w1") == [.subscribe(subscription: "request-7", master: "test-master", builder: "b",
                                                            priority: 0, since: t0)])

        await gate.handle(AgentRelayMessage.waiting(subscription: "request-7", reason: "load 3.4 > 3.0", until: nil).json, from: "w1")
        #expect(context.wakes.count == 1)
        let second = await gate.admit(request(7), on: candidate("w1"))
        #expect(second == .later(reason: "waiting for host agent on host-w1: load 3.4 > 3.0", until: nil))
        #expect(messages(context, to: "w1").count == 1, "no second subscription")

        await gate.handle(AgentRelayMessage.offer(offer: 5, subscription: "request-7", expiresAt: t0.addingTimeInterval(5)).json, from: "w1")
        #expect(context.wakes.count == 2)
        async let admitted = gate.admit(request(7), on: candidate("w1"))
        _ = await context.sent.wait { AgentRelayMessage(json: $0.payload) == .claim(offer: 5, build: "b request 7") }
        let lease = AgentLease(lease: "L1", token: 42, master: "test-master", worker: "w1", builder: "b",
                               build: "b request 7", since: t0, expiresAt: t0.addingTimeInterval(30))
        await gate.handle(AgentRelayMessage.lease(offer: 5, lease: lease).json, from: "w1")
        guard case .now(let permit) = await admitted else {
            Issue.record("expected a permit")
            return
        }
        #expect(permit.detail["lease"]?.stringValue == "L1")
        await gate.released(permit, result: .success)
        #expect(messages(context, to: "w1").last == .release(lease: "L1"))
    }

    /// A build whose lease is lost runs again with a new slot (the agent may have given the
    /// old one away); a lease lost after its build ended changes nothing.
    @Test func aLostLeaseStopsItsBuildToRunAgain() async throws {
        let context = TestPluginContext(now: t0, workers: ["w1"])
        let gate = HostAgentGate(context: context) { _ in nil }
        _ = await gate.admit(request(9), on: candidate("w1"))
        await gate.handle(AgentRelayMessage.offer(offer: 6, subscription: "request-9", expiresAt: t0.addingTimeInterval(5)).json, from: "w1")
        async let admitted = gate.admit(request(9), on: candidate("w1"))
        _ = await context.sent.wait { AgentRelayMessage(json: $0.payload) == .claim(offer: 6, build: "b request 9") }
        let lease = AgentLease(lease: "L9", token: 7, master: "test-master", worker: "w1", builder: "b",
                               build: "b request 9", since: t0, expiresAt: t0.addingTimeInterval(30))
        await gate.handle(AgentRelayMessage.lease(offer: 6, lease: lease).json, from: "w1")
        guard case .now(let permit) = await admitted else {
            Issue.record("expected a permit")
            return
        }

        await gate.handle(AgentRelayMessage.leaseLost(lease: "L9", build: "b request 9", reason: "over_capacity").json, from: "w1")
        #expect(context.retries.items.map(\.requestID) == [9])
        #expect(context.retries.items.first?.reason.contains("over_capacity") == true)

        // The stopped build releases its permit; a second loss report is about nothing running.
        await gate.released(permit, result: .retry)
        await gate.handle(AgentRelayMessage.leaseLost(lease: "L9", build: "b request 9", reason: "again").json, from: "w1")
        #expect(context.retries.count == 1)
    }

    /// With several slots a worker can fill up after subscribing: its offer is handed on at
    /// once (not after offer_timeout), the distributor is woken, and the request subscribes again
    /// once the worker is free.
    @Test func anOfferToAWorkerThatFilledUpIsDeclinedAtOnce() async throws {
        let context = TestPluginContext(now: t0, workers: ["w1"])
        let gate = HostAgentGate(context: context) { _ in nil }
        _ = await gate.admit(request(4), on: candidate("w1"))
        context.setRunning("w1", 1)
        await gate.handle(AgentRelayMessage.offer(offer: 8, subscription: "request-4", expiresAt: t0.addingTimeInterval(5)).json, from: "w1")
        #expect(Array(messages(context, to: "w1").suffix(2)) == [.decline(offer: 8), .withdraw(subscription: "request-4")])
        // The distributor is woken: "full" may have been this request's own start in flight.
        #expect(context.wakes.count == 1)

        context.setRunning("w1", 0)
        let again = await gate.admit(request(4), on: candidate("w1"))
        #expect(again == .later(reason: "waiting for host agent on host-w1: asking for a slot", until: nil))
        #expect(messages(context, to: "w1").last == .subscribe(subscription: "request-4", master: "test-master", builder: "b",
                                                                priority: 0, since: t0))
    }

    @Test func firstGrantWinsTheOtherSubscriptionsAreWithdrawnAndLateOffersDeclined() async throws {
        let context = TestPluginContext(now: t0, workers: ["w1", "w2"])
        let gate = HostAgentGate(context: context) { _ in nil }
        _ = await gate.admit(request(3), on: candidate("w1"))
        _ = await gate.admit(request(3), on: candidate("w2"))
        await gate.requestDone(3)
        #expect(messages(context, to: "w2").last == .withdraw(subscription: "request-3"))
        await gate.handle(AgentRelayMessage.offer(offer: 9, subscription: "request-3", expiresAt: t0.addingTimeInterval(5)).json, from: "w2")
        #expect(messages(context, to: "w2").last == .decline(offer: 9))
        #expect(context.wakes.count == 0)
    }

    @Test func anUnreachableAgentMakesTheWorkerUnavailable() async {
        let context = TestPluginContext(now: t0, workers: ["w1"])
        let gate = HostAgentGate(context: context) { _ in nil }
        await gate.handle(AgentRelayMessage.unreachable(reason: "connection refused").json, from: "w1")
        let verdicts = gate.verdicts(candidates: [candidate("w1"), candidate("w2", agent: nil)])
        #expect(verdicts == [.unavailable("w1", reason: "host agent unreachable (connection refused)")])
    }

    @Test func ignoreAndWorkersWithoutAnAgentStartAtOnce() async {
        let context = TestPluginContext(now: t0, workers: ["w1", "w2"])
        let gate = HostAgentGate(context: context) { $0 == "w1" ? .ignore : nil }
        guard case .now = await gate.admit(request(1), on: candidate("w1")) else { Issue.record("w1 ignores the agent"); return }
        guard case .now = await gate.admit(request(1), on: candidate("w2", agent: nil)) else { Issue.record("w2 has no agent"); return }
        #expect(context.sent.count == 0)
    }
}
