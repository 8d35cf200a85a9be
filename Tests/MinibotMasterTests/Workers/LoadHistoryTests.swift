import Foundation
@testable import MinibotMaster
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
}
