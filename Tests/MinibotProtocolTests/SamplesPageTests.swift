import Foundation
import MinibotHostFacts
import MinibotProtocol
import Testing

/// A worker's flight recorder on the wire: pages fit a frame, rows round-trip in the
/// recorder's units, and rows a hostile worker could send are dropped.
@Suite struct SamplesPageTests {
    func sample(_ i: Int) -> LoadSample {
        LoadSample(load1: Double(i % 500) / 100, load5: 0.4, load15: 0.3, cpuPressureSome10: 1.25,
                   memoryPressureSome10: i.isMultiple(of: 2) ? nil : 3, ioPressureSome10: 0.1,
                   memAvailableBytes: 8_123_456_512, time: Date(timeIntervalSince1970: 1_733_500_000 + Double(i) * 10))
    }

    @Test func aWeekSplitsIntoPagesThatFitAFrame() throws {
        let week = (0..<60_480).map(sample)
        let pages = SamplesPage.pages(id: 7, interval: 10, samples: week)
        #expect(pages.count == 13 && pages.allSatisfy { $0.rows.count <= SamplesPage.maxRows && $0.id == 7 })
        #expect(pages.map(\.isLast) == Array(repeating: false, count: 12) + [true])
        #expect(pages.flatMap(\.samples) == week.map { FlightRecord($0)!.sample })
        // The largest page, with every figure at its widest, still fits one frame.
        let widest = LoadSample(load1: 99_999.99, load5: 99_999.99, load15: 99_999.99, cpuPressureSome10: 99.99,
                                memoryPressureSome10: 99.99, ioPressureSome10: 99.99, memAvailableBytes: 1_125_899_906_842_624,
                                time: Date(timeIntervalSince1970: 4_000_000_000))
        let page = SamplesPage.pages(id: .max, interval: 10, samples: Array(repeating: widest, count: SamplesPage.maxRows))[0]
        let frame = try WorkerWire.encoder().encode(WorkerMessage.samples(page))
        #expect(frame.count < WorkerWire.maxFrameBytes)
        let decoded = try WorkerWire.decoder().decode(WorkerMessage.self, from: frame)
        #expect(decoded == .samples(page))
    }

    @Test func noSamplesIsOneEmptyLastPage() {
        #expect(SamplesPage.pages(id: 1, interval: 10, samples: []) == [SamplesPage(id: 1, interval: 10, rows: [], isLast: true)])
    }

    @Test func hostileRowsAreDropped() {
        let good: [Int64?] = [1_733_500_000, 50, 40, 30, 125, nil, 10, 7_932_868]
        var rows = [good]
        rows.append([])
        rows.append(Array(good.prefix(7)))
        rows.append([nil] + good.dropFirst())
        rows.append([0] + good.dropFirst())
        rows.append([Int64(UInt32.max) + 1] + good.dropFirst())
        rows.append([good[0], -1] + good.dropFirst(2))
        rows.append([good[0], 1, nil] + good.dropFirst(3))
        rows.append(Array(good.prefix(4)) + [10_001] + good.dropFirst(5))
        rows.append(Array(good.prefix(7)) + [.max])
        let samples = SamplesPage(id: 1, interval: 10, rows: rows, isLast: true).samples
        #expect(samples.count == 1)
        #expect(samples.first?.load1 == 0.5 && samples.first?.cpuPressureSome10 == 1.25)
        #expect(samples.first?.memoryPressureSome10 == nil && samples.first?.memAvailableBytes == 7_932_868 * 1024)
    }

    @Test func theJSONDocumentHasTheAPIKeysWithNulls() throws {
        let document = SamplesDocument(worker: "w1", interval: 10, samples: [sample(0)], source: "worker")
        let text = String(decoding: try document.data(), as: UTF8.self)
        #expect(text.contains(#""memory_pressure":null"#) && text.contains(#""free_memory":8123456512"#), "\(text)")
        #expect(text.contains(#""time":1733500000"#) && text.contains(#""source":"worker""#), "\(text)")
        #expect(text.hasPrefix(#"{"interval":10,"samples":[{"#), "\(text)")
    }
}
