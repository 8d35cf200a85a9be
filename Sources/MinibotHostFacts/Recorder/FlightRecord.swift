import Foundation

/// One slot of a flight recorder file: a ``LoadSample`` quantised into 32 bytes.
///
/// Layout, little-endian:
///
/// | bytes | field | unit | missing |
/// |-------|-------|------|---------|
/// | 0–3   | time  | seconds since 1970 (0: empty slot) | |
/// | 4–15  | load1, load5, load15 | UInt32 hundredths | |
/// | 16–21 | cpu, memory, io pressure | UInt16 hundredths of a percent (≤ 10,000) | 0xFFFF |
/// | 22–23 | check | Fletcher-16 of the other 30 bytes | |
/// | 24–31 | free memory | UInt64 KiB | all ones |
///
/// The ranges cover everything `LoadBounds` admits (a load of 100,000, 1 PiB free); larger
/// figures are clamped, never trapped on. Decoding is total: a record that fails its check, has
/// a pressure above 100 % or is empty decodes to nil.
public struct FlightRecord: Sendable, Equatable {
    public static let size = 32
    static let missingPressure: UInt16 = 0xFFFF
    static let missingMemory: UInt64 = .max

    public var time: UInt32
    public var load1: UInt32
    public var load5: UInt32
    public var load15: UInt32
    public var cpuPressure: UInt16
    public var memoryPressure: UInt16
    public var ioPressure: UInt16
    public var freeMemoryKiB: UInt64

    /// Quantises a sample; nil when it cannot be stored (a time before 1970 or after 2106, a
    /// load that is not a finite number ≥ 0).
    public init?(_ sample: LoadSample) {
        let seconds = sample.time.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite, seconds >= 1, seconds < Double(UInt32.max) else { return nil }
        guard let load1 = Self.hundredths(sample.load1), let load5 = Self.hundredths(sample.load5),
              let load15 = Self.hundredths(sample.load15) else { return nil }
        self.time = UInt32(seconds)
        self.load1 = load1
        self.load5 = load5
        self.load15 = load15
        self.cpuPressure = Self.pressure(sample.cpuPressureSome10)
        self.memoryPressure = Self.pressure(sample.memoryPressureSome10)
        self.ioPressure = Self.pressure(sample.ioPressureSome10)
        self.freeMemoryKiB = Self.kibibytes(sample.memAvailableBytes)
    }

    /// The sample this record holds, with its figures as stored (to 0.01, and to 1 KiB).
    public var sample: LoadSample {
        func pressure(_ value: UInt16) -> Double? { value == Self.missingPressure ? nil : Double(value) / 100 }
        return LoadSample(load1: Double(load1) / 100, load5: Double(load5) / 100, load15: Double(load15) / 100,
                          cpuPressureSome10: pressure(cpuPressure), memoryPressureSome10: pressure(memoryPressure),
                          ioPressureSome10: pressure(ioPressure),
                          memAvailableBytes: freeMemoryKiB == Self.missingMemory ? nil : Double(freeMemoryKiB) * 1024,
                          time: Date(timeIntervalSince1970: Double(time)))
    }

    /// The record's 32 bytes.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.size)
        Self.put(time, at: 0, in: &out)
        Self.put(load1, at: 4, in: &out)
        Self.put(load5, at: 8, in: &out)
        Self.put(load15, at: 12, in: &out)
        Self.put(cpuPressure, at: 16, in: &out)
        Self.put(memoryPressure, at: 18, in: &out)
        Self.put(ioPressure, at: 20, in: &out)
        Self.put(freeMemoryKiB, at: 24, in: &out)
        Self.put(Self.check(out), at: 22, in: &out)
        return out
    }

    /// Decodes 32 bytes; nil for an empty slot or anything that is not a record we wrote.
    public init?<Bytes: RandomAccessCollection>(bytes: Bytes) where Bytes.Element == UInt8, Bytes.Index == Int {
        guard bytes.count == Self.size else { return nil }
        let b = Array(bytes)
        let time: UInt32 = Self.get(b, at: 0)
        guard time != 0, Self.get(b, at: 22) as UInt16 == Self.check(b) else { return nil }
        self.time = time
        self.load1 = Self.get(b, at: 4)
        self.load5 = Self.get(b, at: 8)
        self.load15 = Self.get(b, at: 12)
        self.cpuPressure = Self.get(b, at: 16)
        self.memoryPressure = Self.get(b, at: 18)
        self.ioPressure = Self.get(b, at: 20)
        self.freeMemoryKiB = Self.get(b, at: 24)
        for p in [cpuPressure, memoryPressure, ioPressure] where p != Self.missingPressure && p > 10_000 { return nil }
    }

    // MARK: quantisation

    static func hundredths(_ value: Double) -> UInt32? {
        guard value.isFinite, value >= 0 else { return nil }
        let scaled = (value * 100).rounded()
        return scaled >= Double(UInt32.max) ? UInt32.max : UInt32(scaled)
    }

    static func pressure(_ value: Double?) -> UInt16 {
        guard let value, value.isFinite else { return missingPressure }
        return UInt16((min(max(value, 0), 100) * 100).rounded())
    }

    static func kibibytes(_ value: Double?) -> UInt64 {
        guard let value, value.isFinite, value >= 0 else { return missingMemory }
        let kib = (value / 1024).rounded()
        // 2^64 − 2048 is the largest Double below UInt64.max: anything above is clamped.
        return kib >= 18_446_744_073_709_549_568 ? missingMemory - 1 : UInt64(kib)
    }

    // MARK: bytes

    /// Fletcher-16 over every byte but the check itself: a torn or foreign record fails it.
    static func check(_ b: [UInt8]) -> UInt16 {
        var a: UInt32 = 0, s: UInt32 = 0
        for (i, byte) in b.enumerated() where i != 22 && i != 23 {
            a = (a + UInt32(byte)) % 255
            s = (s + a) % 255
        }
        // Never 0 for a non-empty record's check field alone to be mistaken for blank bytes.
        return UInt16(s << 8 | a) ^ 0x5A5A
    }

    static func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, byte) in raw.enumerated() { bytes[offset + i] = byte }
        }
    }

    static func get<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int) -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size { value |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i) }
        return value
    }
}
