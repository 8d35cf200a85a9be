import Foundation
import MinibotCore
import MinibotHostFacts
@testable import MinibotMaster
import MinibotProtocol
import Testing

/// The master's side of a samples fetch on one link: pages gathered until the last, one
/// fetch at a time, bounded, and abandoned cleanly (cancelled, or the link dropped).
@Suite struct SamplesFetchTests {
    let link: JSONWorkerConnection
    let outbox: AsyncStream<MasterMessage>

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: MasterMessage.self)
        outbox = stream
        link = JSONWorkerConnection(name: "w1", info: WorkerInfo(hostname: "h", os: "Linux", cpus: 2, version: "test",
                                                                 facts: [WorkerFacts.samples: "10"]),
                                    outbox: continuation, heartbeat: 10, now: Date())
    }

    /// The next `fetchSamples` the link sent.
    func nextRequest() async -> FetchSamples? {
        for await message in outbox { if case .fetchSamples(let request) = message { return request } }
        return nil
    }

    func rows(_ count: Int, from start: Int64 = 1_733_500_000) -> [[Int64?]] {
        (0..<count).map { [start + Int64($0) * 10, 50, 40, 30, nil, nil, nil, 1024] }
    }

    @Test func gathersPagesUntilTheLast() async throws {
        let fetch = Task { [link] in
            try await link.fetchSamples(since: Date(timeIntervalSince1970: 1_733_000_000),
                                        until: Date(timeIntervalSince1970: 1_734_000_000.7))
        }
        let request = try #require(await nextRequest())
        #expect(request.since == 1_733_000_000 && request.until == 1_734_000_000)
        link.receive(SamplesPage(id: request.id + 1, interval: 10, rows: rows(3), isLast: true))  // not ours: dropped
        link.receive(SamplesPage(id: request.id, interval: 10, rows: rows(2), isLast: false))
        link.receive(SamplesPage(id: request.id, interval: 10, rows: rows(1, from: 1_733_600_000), isLast: true))
        let samples = try await fetch.value
        #expect(samples.map(\.time.timeIntervalSince1970) == [1_733_500_000, 1_733_500_010, 1_733_600_000])
        #expect(samples.first?.load1 == 0.5 && samples.first?.memAvailableBytes == 1024 * 1024)
    }

    @Test func oneFetchAtATime() async throws {
        let first = Task { [link] in try await link.fetchSamples(since: Date(), until: Date()) }
        let request = try #require(await nextRequest())
        await #expect(throws: SamplesFetchError.busy) { try await link.fetchSamples(since: Date(), until: Date()) }
        link.receive(SamplesPage(id: request.id, interval: 10, rows: [], isLast: true))
        #expect(try await first.value.isEmpty)
    }

    @Test func aWorkerErrorAndTooManySamplesEndTheFetch() async throws {
        let failing = Task { [link] in try await link.fetchSamples(since: Date(), until: Date()) }
        let one = try #require(await nextRequest())
        link.receive(SamplesPage(id: one.id, interval: 10, rows: [], isLast: true, error: "cannot read samples.mbfr"))
        await #expect(throws: SamplesFetchError.worker("cannot read samples.mbfr")) { try await failing.value }

        let flooding = Task { [link] in try await link.fetchSamples(since: Date(), until: Date()) }
        let two = try #require(await nextRequest())
        for _ in 0..<13 { link.receive(SamplesPage(id: two.id, interval: 10, rows: rows(5_000), isLast: false)) }
        await #expect(throws: SamplesFetchError.tooMany) { try await flooding.value }
    }

    @Test func cancellingAbandonsAndLatePagesAreDropped() async throws {
        let fetch = Task { [link] in try await link.fetchSamples(since: Date(), until: Date()) }
        let request = try #require(await nextRequest())
        fetch.cancel()
        await #expect(throws: CancellationError.self) { try await fetch.value }
        link.receive(SamplesPage(id: request.id, interval: 10, rows: rows(1), isLast: true))
        // The link is free for the next fetch.
        let next = Task { [link] in try await link.fetchSamples(since: Date(), until: Date()) }
        let again = try #require(await nextRequest())
        #expect(again.id != request.id)
        link.close()
        await #expect(throws: SamplesFetchError.lost) { try await next.value }
        await #expect(throws: SamplesFetchError.lost) { try await link.fetchSamples(since: Date(), until: Date()) }
    }
}
