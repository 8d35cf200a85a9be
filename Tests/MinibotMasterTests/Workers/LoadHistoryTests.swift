import Foundation
import MinibotCore
@testable import MinibotMaster
import MinibotTesting
import Testing

/// A worker's load history: 5-minute buckets over a day, bounded whatever arrives.
@Suite struct LoadHistoryTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)  // a multiple of 300

    @Test("reports in one bucket keep the highest and the last figure")
    func buckets() {
        var h = LoadHistory()
        h.record(load1: 1, cpuPressure: 5, at: t0)
        h.record(load1: 3, cpuPressure: nil, at: t0.addingTimeInterval(60))
        h.record(load1: 2, cpuPressure: 2, at: t0.addingTimeInterval(299))
        h.record(load1: 0.5, cpuPressure: nil, at: t0.addingTimeInterval(300))
        #expect(h.buckets.count == 2)
        #expect(h.buckets[0] == .init(start: t0, maxLoad: 3, lastLoad: 2, maxPressure: 5, lastPressure: 2, samples: 3))
        #expect(h.buckets[1].start == t0.addingTimeInterval(300) && h.buckets[1].maxLoad == 0.5)
    }

    @Test("two days of reports every second keep one day of buckets")
    func bounded() {
        var h = LoadHistory()
        for i in stride(from: 0, to: 2 * 86_400, by: 7) {
            h.record(load1: Double(i % 10), cpuPressure: nil, at: t0.addingTimeInterval(Double(i)))
        }
        #expect(h.buckets.count == LoadHistory.capacity)
        #expect(LoadHistory.capacity == 288)
        let now = t0.addingTimeInterval(2 * 86_400)
        #expect(h.buckets(before: now).allSatisfy { now.timeIntervalSince($0.start) < LoadHistory.span })
        // A gap drops what is older than a day.
        h.record(load1: 1, cpuPressure: nil, at: now.addingTimeInterval(20 * 3600))
        #expect(h.buckets.count < 60)
    }

    @Test("a clock jumping back drops the future; hostile figures are ignored")
    func hostile() {
        var h = LoadHistory()
        h.record(load1: 1, cpuPressure: nil, at: t0)
        h.record(load1: 1, cpuPressure: nil, at: t0.addingTimeInterval(3600))
        h.record(load1: 2, cpuPressure: nil, at: t0.addingTimeInterval(600))
        #expect(h.buckets.map(\.start) == [t0, t0.addingTimeInterval(600)])
        h.record(load1: .nan, cpuPressure: nil, at: t0.addingTimeInterval(900))
        h.record(load1: -1, cpuPressure: nil, at: t0.addingTimeInterval(900))
        h.record(load1: .infinity, cpuPressure: nil, at: t0.addingTimeInterval(900))
        h.record(load1: 1, cpuPressure: nil, at: Date(timeIntervalSince1970: .infinity))
        h.record(load1: 1, cpuPressure: .nan, at: t0.addingTimeInterval(600))
        #expect(h.buckets.count == 2 && h.buckets[1].maxPressure == nil)
        #expect(h.buckets(before: t0.addingTimeInterval(300)).count == 1)
    }

    @Test("the registry files each report under the master's time, not the worker's; unknown and removed workers have none")
    func registry() async throws {
        let scene = try await MasterScene("""
            workers:
              - {name: w1, password: p, max_builds: 1}
              - {name: w2, password: p, max_builds: 1}
            builders:
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: one, command: [true]}
            """)
        defer { scene.stop(); scene.directory.remove() }
        let start = scene.clock.now()
        // The worker's clock is a year off: its reports still land at the master's time.
        let skewed = start.addingTimeInterval(-365 * 86_400)
        await scene.registry.statusReported("w1", WorkerStatus(load1: 2.5, cpuPressure: 4, time: skewed), at: scene.clock.now())
        scene.clock.advance(by: 600)
        await scene.registry.statusReported("w1", WorkerStatus(load1: 0.5, time: skewed), at: scene.clock.now())
        let buckets = try #require(await scene.registry.loadHistory("w1", before: scene.clock.now()))
        #expect(buckets.map(\.maxLoad) == [2.5, 0.5])
        #expect(buckets[0].start <= start && start.timeIntervalSince(buckets[0].start) < LoadHistory.bucketSeconds)
        #expect(await scene.registry.loadHistory("w2", before: scene.clock.now()) == [])
        #expect(await scene.registry.loadHistory("nobody", before: scene.clock.now()) == nil)
        await scene.registry.apply(specs: [WorkerSpec(name: "w2", password: "p")])
        #expect(await scene.registry.loadHistory("w1", before: scene.clock.now()) == nil)
    }
}
