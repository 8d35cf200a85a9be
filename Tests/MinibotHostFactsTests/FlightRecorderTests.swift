import Foundation
@testable import MinibotHostFacts
import Testing

/// The flight recorder's ring file: round trip, wrap-around, restart, and files that are not
/// what they should be (none of which may crash the reader or the writer).
@Suite struct FlightRecorderTests {
    let directory: String
    let path: String
    /// 2026-12-06 18:00 UTC, on a 10 s boundary.
    let base = Date(timeIntervalSince1970: 1_796_580_000)

    init() throws {
        directory = NSTemporaryDirectory() + "flight-recorder-\(UUID().uuidString)"
        path = directory + "/samples.mbfr"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func sample(_ offset: TimeInterval, load: Double = 0.5) -> LoadSample {
        LoadSample(load1: load, load5: 0.4, load15: 0.3, cpuPressureSome10: 1.25, memoryPressureSome10: 0,
                   ioPressureSome10: nil, memAvailableBytes: 8_123_456_789, time: base.addingTimeInterval(offset))
    }

    func read(since: Date? = nil, until: Date? = nil, now: Date? = nil) throws -> [LoadSample] {
        try FlightRecorder.samples(inFile: path, since: since, until: until, now: now ?? base.addingTimeInterval(86_400 * 30))
    }

    @Test func roundTripsOldestFirstWithinTheRange() throws {
        let recorder = try FlightRecorder.open(path: path)
        for offset in [30.0, 0, 10, 20] { try recorder.record(sample(offset, load: offset / 10)) }
        let all = try read()
        #expect(all.map(\.time) == [0, 10, 20, 30].map { base.addingTimeInterval($0) })
        #expect(all.map(\.load1) == [0, 1, 2, 3])
        #expect(all[0].cpuPressureSome10 == 1.25 && all[0].memoryPressureSome10 == 0 && all[0].ioPressureSome10 == nil)
        let some = try read(since: base.addingTimeInterval(10), until: base.addingTimeInterval(20))
        #expect(some.map(\.load1) == [1, 2])
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == 64 + 60_480 * 32)
    }

    @Test func quantisesToTheStatedPrecision() throws {
        let recorder = try FlightRecorder.open(path: path)
        let exact = LoadSample(load1: 12.3456, load5: 0.004, load15: 99_999.99, cpuPressureSome10: 33.333,
                               memoryPressureSome10: 100, ioPressureSome10: 0.005, memAvailableBytes: 123_456_789_012,
                               time: base.addingTimeInterval(0.9))
        try recorder.record(exact)
        let got = try #require(try read().first)
        #expect(abs(got.load1 - 12.3456) <= 0.005)
        #expect(abs(got.load5 - 0.004) <= 0.005)
        #expect(abs(got.load15 - 99_999.99) <= 0.005)
        #expect(abs(got.cpuPressureSome10! - 33.333) <= 0.005)
        #expect(got.memoryPressureSome10 == 100)
        #expect(abs(got.ioPressureSome10! - 0.005) <= 0.005)
        #expect(abs(got.memAvailableBytes! - 123_456_789_012) <= 512)
        #expect(got.time == base)
    }

    @Test func refusesSamplesItCannotStoreAndClampsAbsurdOnes() throws {
        let recorder = try FlightRecorder.open(path: path)
        #expect(try !recorder.record(LoadSample(load1: .nan, load5: 0, load15: 0, time: base)))
        #expect(try !recorder.record(LoadSample(load1: -1, load5: 0, load15: 0, time: base)))
        #expect(try !recorder.record(LoadSample(load1: 1, load5: 0, load15: 0, time: Date(timeIntervalSince1970: -5))))
        #expect(try !recorder.record(LoadSample(load1: 1, load5: 0, load15: 0, time: .distantFuture)))
        #expect(try recorder.record(LoadSample(load1: .greatestFiniteMagnitude, load5: 0, load15: 0,
                                               cpuPressureSome10: .infinity, memoryPressureSome10: 250,
                                               memAvailableBytes: .greatestFiniteMagnitude, time: base)))
        let got = try #require(try read().first)
        #expect(got.load1 == Double(UInt32.max) / 100)
        #expect(got.cpuPressureSome10 == nil && got.memoryPressureSome10 == 100)
        #expect(got.memAvailableBytes != nil)
        #expect(try read().count == 1)
    }

    @Test func wrapsAroundAfterSevenDays() throws {
        let recorder = try FlightRecorder.open(path: path)
        let week = 60_480.0 * 10
        try recorder.record(sample(0, load: 1))
        try recorder.record(sample(10, load: 2))
        try recorder.record(sample(week, load: 3))  // the slot of the first one
        let got = try read()
        #expect(got.map(\.load1) == [2, 3])
        // A slot nobody overwrote, older than a ring before the newest, is not shown either.
        try recorder.record(sample(week + 20, load: 4))
        #expect(try read().map(\.load1) == [3, 4])
    }

    @Test func aRestartResumesInPlace() throws {
        do {
            let recorder = try FlightRecorder.open(path: path)
            try recorder.record(sample(0, load: 1))
        }
        let again = try FlightRecorder.open(path: path)
        try again.record(sample(10, load: 2))
        #expect(try read().map(\.load1) == [1, 2])
        #expect(!FileManager.default.fileExists(atPath: path + ".bad"))
    }

    @Test func aClockThatJumpsBackStillStoresAndReadsSorted() throws {
        let recorder = try FlightRecorder.open(path: path)
        try recorder.record(sample(3600, load: 1))
        try recorder.record(sample(0, load: 2))
        try recorder.record(sample(10, load: 3))
        #expect(try read().map(\.load1) == [2, 3, 1])
    }

    @Test func aBadHeaderIsMovedAsideAndANewFileStarted() throws {
        try Data("not a recorder file at all".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: FlightRecorderError.self) { try read() }
        let recorder = try FlightRecorder.open(path: path)
        #expect(FileManager.default.fileExists(atPath: path + ".bad"))
        try recorder.record(sample(0))
        #expect(try read().count == 1)
    }

    @Test(arguments: [
        ("wrong magic", 0, [UInt8]("XXXX".utf8)),
        ("another version", 4, [9, 0]),
        ("another record size", 6, [16, 0]),
        ("another interval", 8, [60, 0, 0, 0]),
        ("a huge slot count", 12, [255, 255, 255, 255]),
    ])
    func aForeignHeaderIsRefusedOrReplaced(_ what: String, _ offset: Int, _ patch: [UInt8]) throws {
        do { try FlightRecorder.open(path: path).record(sample(0)) }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes.replaceSubrange(offset..<offset + patch.count, with: patch)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let recorder = try FlightRecorder.open(path: path)
        #expect(FileManager.default.fileExists(atPath: path + ".bad"), "\(what)")
        #expect(recorder.header == FlightRecorderHeader(interval: 10, slotCount: 60_480))
        #expect(try read().isEmpty, "\(what)")
    }

    @Test func aTruncatedFileReadsWhatIsThereAndIsReplacedForWriting() throws {
        do {
            let recorder = try FlightRecorder.open(path: path)
            try recorder.record(sample(0, load: 1))
            try recorder.record(sample(10, load: 2))
        }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        // Slot of `base` is (1_796_580_000 / 10) % 60_480; cut in the middle of the ring.
        let slot = Int(1_796_580_000 / 10 % 60_480)
        try handle.truncate(atOffset: UInt64(64 + slot * 32 + 32 + 5))
        try handle.close()
        #expect(try read().map(\.load1) == [1])
        _ = try FlightRecorder.open(path: path)
        #expect(FileManager.default.fileExists(atPath: path + ".bad"))
        try Data([0x4D, 0x42]).write(to: URL(fileURLWithPath: path))
        #expect(throws: FlightRecorderError.self) { try read() }
        #expect(throws: FlightRecorderError.self) {
            try FlightRecorder.samples(inFile: directory + "/missing.mbfr")
        }
    }

    @Test func hostileRecordsAreSkipped() throws {
        do { try FlightRecorder.open(path: path).record(sample(0, load: 1)) }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func put(_ record: [UInt8], slot: Int) { bytes.replaceSubrange(64 + slot * 32..<64 + slot * 32 + 32, with: record) }
        // Garbage; a valid record in the wrong slot; one far in the future (it would hide the
        // week); a pressure above 100 % with a matching check; a NaN-like all-ones record.
        put([UInt8](repeating: 0xAB, count: 32), slot: 1)
        put(FlightRecord(sample(20, load: 7))!.bytes, slot: 3)
        let future = FlightRecord(sample(86_400 * 365 * 10, load: 8))!
        put(future.bytes, slot: Int(future.time / 10 % 60_480))
        var overfull = FlightRecord(sample(30, load: 9))!
        overfull.cpuPressure = 20_000
        put(overfull.bytes, slot: Int(overfull.time / 10 % 60_480))
        put([UInt8](repeating: 0xFF, count: 32), slot: 5)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try read(now: base.addingTimeInterval(60)).map(\.load1) == [1])
    }

    @Test func recordBytesRoundTripAndRejectFlippedBits() throws {
        let record = try #require(FlightRecord(sample(0)))
        #expect(FlightRecord(bytes: record.bytes) == record)
        for index in [0, 5, 17, 23, 30] {
            var flipped = record.bytes
            flipped[index] ^= 0x10
            #expect(FlightRecord(bytes: flipped) == nil)
        }
        #expect(FlightRecord(bytes: [UInt8](repeating: 0, count: 32)) == nil)
        #expect(FlightRecord(bytes: [UInt8](repeating: 0, count: 7)) == nil)
    }
}
