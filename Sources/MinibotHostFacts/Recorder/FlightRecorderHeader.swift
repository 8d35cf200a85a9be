import Foundation

/// The 64-byte header of a flight recorder file: magic `MBFR`, format version, record size,
/// sampling interval and slot count (little-endian UInt16/UInt32 fields, the rest zero).
///
/// A file whose header does not parse, or whose size is not `header + slots × record`, is not
/// ours (or is damaged): the writer moves it aside, the reader refuses it.
public struct FlightRecorderHeader: Sendable, Equatable {
    public static let size = 64
    public static let magic: [UInt8] = Array("MBFR".utf8)
    public static let version: UInt16 = 1

    /// Seconds between samples.
    public var interval: UInt32
    /// Slots in the ring: `interval × slotCount` is how far back the file reaches.
    public var slotCount: UInt32

    public init(interval: UInt32, slotCount: UInt32) {
        self.interval = interval
        self.slotCount = slotCount
    }

    /// The size of a whole file with this header.
    public var fileSize: Int { Self.size + Int(slotCount) * FlightRecord.size }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.size)
        out.replaceSubrange(0..<4, with: Self.magic)
        FlightRecord.put(Self.version, at: 4, in: &out)
        FlightRecord.put(UInt16(FlightRecord.size), at: 6, in: &out)
        FlightRecord.put(interval, at: 8, in: &out)
        FlightRecord.put(slotCount, at: 12, in: &out)
        return out
    }

    /// Parses a header; throws a ``FlightRecorderError`` saying what is wrong.
    public init<Bytes: Collection>(bytes: Bytes) throws where Bytes.Element == UInt8 {
        let b = Array(bytes.prefix(Self.size))
        guard b.count == Self.size else { throw FlightRecorderError("shorter than a header (\(b.count) bytes)") }
        guard Array(b[0..<4]) == Self.magic else { throw FlightRecorderError("not a flight recorder file (no MBFR magic)") }
        let version: UInt16 = FlightRecord.get(b, at: 4)
        guard version == Self.version else { throw FlightRecorderError("format version \(version), expected \(Self.version)") }
        let recordSize: UInt16 = FlightRecord.get(b, at: 6)
        guard recordSize == FlightRecord.size else { throw FlightRecorderError("record size \(recordSize), expected \(FlightRecord.size)") }
        interval = FlightRecord.get(b, at: 8)
        slotCount = FlightRecord.get(b, at: 12)
        // Bounds keep the file (and what a reader allocates for it) small: at most 64 MiB.
        guard (1...86_400).contains(interval) else { throw FlightRecorderError("interval \(interval) s out of range") }
        guard (1...2_000_000).contains(slotCount) else { throw FlightRecorderError("slot count \(slotCount) out of range") }
    }
}
