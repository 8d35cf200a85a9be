import Foundation
import Testing
import MinibotCore

private let t0 = Date(timeIntervalSinceReferenceDate: 700_000_000)

private func request(_ id: Int64, priority: Int = 0, at seconds: Double) -> BuildRequest {
    BuildRequest(id: id, builderName: "b", priority: priority, submittedAt: t0.addingTimeInterval(seconds), reason: "test")
}

@Suite struct PendingQueueTests {
    @Test func keepsServingOrderAsRequestsComeAndGo() {
        var queue = PendingQueue()
        queue[3] = request(3, at: 30)
        queue[1] = request(1, at: 10)
        queue[4] = request(4, priority: 5, at: 40)
        queue[2] = request(2, at: 10)  // same age as 1: the lower id first
        #expect(queue.ordered.map(\.id) == [4, 1, 2, 3])

        queue[1] = nil
        #expect(queue.ordered.map(\.id) == [4, 2, 3])
        #expect(queue[1] == nil)
        #expect(queue.values.count == 3)

        // Replacing a request with a new priority moves it.
        queue[3] = request(3, priority: 9, at: 30)
        #expect(queue.ordered.map(\.id) == [3, 4, 2])
        #expect(queue[3]?.priority == 9)
        #expect(Set(queue.values.map(\.id)) == [2, 3, 4])
    }

    @Test func orderMatchesThePolicySortOnManyRequests() {
        var queue = PendingQueue()
        var ids = Array(Int64(1)...200)
        var generator = SystemRandomNumberGenerator()
        ids.shuffle(using: &generator)
        for id in ids { queue[id] = request(id, priority: Int(id % 3), at: Double(id % 17)) }
        for id in ids.prefix(50) { queue[id] = nil }
        let expected = queue.ordered.sorted(by: DistributorPolicy.servesBefore)
        #expect(queue.ordered == expected)
        #expect(queue.ordered.count == 150)
    }
}
