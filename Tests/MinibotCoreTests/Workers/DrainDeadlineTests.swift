import Foundation
import MinibotCore
import Testing

/// Drains as plain values: the deadline decision with the time as an argument, and the
/// distributor ruling a draining worker out.
@Suite struct DrainDeadlineTests {
    let t0 = Date(timeIntervalSinceReferenceDate: 700_000_000)

    @Test("before the deadline nothing ends and the deadline is the next check; at it every build not yet told ends RETRY")
    func deadline() {
        let drain = WorkerDrain(deadline: t0.addingTimeInterval(1800), requestedAt: t0, requestedBy: "ops")
        let d = DrainDeadline(worker: "w1", drain: drain)
        let before = d.decide(running: [7, 3], told: [], now: t0.addingTimeInterval(60))
        #expect(before.actions.isEmpty)
        #expect(before.nextCheck == t0.addingTimeInterval(1800))

        let at = d.decide(running: [7, 3], told: [7], now: t0.addingTimeInterval(1800))
        #expect(at.actions == [.retry(3, reason: "worker w1 drained by ops: the drain's deadline passed")])
        #expect(at.nextCheck == nil)

        #expect(d.decide(running: [], told: [], now: t0).actions.isEmpty)
        #expect(d.decide(running: [], told: [], now: t0).nextCheck == nil)
        #expect(DrainDeadline.isDrained(running: 0))
    }

    @Test("without a deadline running builds simply finish")
    func noDeadline() {
        let d = DrainDeadline(worker: "w1", drain: WorkerDrain(deadline: nil, requestedAt: t0, requestedBy: "ops"))
        let later = d.decide(running: [1], told: [], now: t0.addingTimeInterval(366 * 86_400))
        #expect(later.actions.isEmpty && later.nextCheck == nil)
    }

    @Test("a draining worker takes no new build; the request goes to another one or says why it waits")
    func distributorRulesItOut() {
        let drain = WorkerDrain(deadline: nil, requestedAt: t0, requestedBy: "ops")
        let policy = DistributorPolicy(builders: [BuilderSpec(name: "b", workers: ["w1", "w2"], steps: [])])
        let request = PendingRequest(id: 1, builder: "b", priority: 0, submittedAt: t0)
        let elsewhere = policy.decide(pending: [request], workers: [.init(name: "w1", drain: drain), .init(name: "w2")],
                                      locks: LockBook(), now: t0)
        #expect(elsewhere.decisions.map(\.worker) == ["w2"])

        let waits = policy.decide(pending: [request], workers: [.init(name: "w1", drain: drain), .init(name: "w2", runningBuilds: 1)],
                                  locks: LockBook(), now: t0)
        let reasons = waits.waiting[1] ?? []
        #expect(reasons.map(\.reason) == ["no usable worker (1 draining, 1 busy)",
                                          "worker w1 draining (no new builds; drained by ops)", "worker w2 busy (1/1 builds)"])
        #expect(WaitingSummary(reasons).entries.map(\.kind) == [.draining, .busy])
    }
}
