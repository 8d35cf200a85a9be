import Foundation
@testable import MinibotAvailability
import MinibotCore
import MinibotProtocol
import Testing

/// What the hosts page reads from the master's agent table: link, slots, leases, waiting.
@Suite struct HostAgentViewTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func request(_ id: Int64) -> PendingRequest { PendingRequest(id: id, builder: "b", priority: 0, submittedAt: t0) }

    @Test("a worker with an agent shows its link, slots, the lease held and the subscription waiting")
    func views() {
        var table = HostGateTable()
        table.workerAttached("w1", agent: "/run/agent.sock", hostname: "box")
        table.workerAttached("plain", agent: nil, hostname: "other")
        #expect(table.views().map(\.link) == [.unknown])
        _ = table.handle(.connected(agent: "/run/agent.sock", slots: 2), from: "w1", workerIsFull: false)
        _ = table.admit(request(1), worker: "w1", agent: "/run/agent.sock", host: "box", master: "m", now: t0)
        _ = table.admit(request(2), worker: "w1", agent: "/run/agent.sock", host: "box", master: "m", now: t0)
        let until = t0.addingTimeInterval(60)
        _ = table.handle(.waiting(subscription: "request-2", reason: "load 3.2 > 3", until: until), from: "w1", workerIsFull: false)
        let lease = AgentLease(lease: "L1", token: 7, master: "m", worker: "w1", builder: "b", build: "b request 1",
                               since: t0, expiresAt: t0.addingTimeInterval(30))
        _ = table.claimAnswered(.lease(offer: 5, lease: lease), request: request(1), worker: "w1", host: "box")

        let views = table.views()
        #expect(views == [HostAgentView(worker: "w1", agent: "/run/agent.sock", hostname: "box", link: .connected, slots: 2,
                                        leases: [.init(lease: "L1", requestID: 1)],
                                        waiting: [.init(requestID: 2, reason: "load 3.2 > 3", until: until)])])

        _ = table.released(lease: "L1", worker: "w1")
        _ = table.handle(.unreachable(reason: "connection refused"), from: "w1", workerIsFull: false)
        #expect(table.views().first?.leases == [])
        #expect(table.views().first?.link == .unreachable(reason: "connection refused"))
        #expect(table.views().first?.slots == 2, "the slots last announced stay known")
        table.workerDetached("w1")
        #expect(table.views().isEmpty)
    }
}
