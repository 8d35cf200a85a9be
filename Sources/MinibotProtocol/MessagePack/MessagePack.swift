/// MessagePack encoding and decoding of ``MessagePackValue`` (Minibot's own codec: the link to
/// a stock buildbot-worker needs only the core types, and every byte of it is hostile input).
///
/// Decoding is bounded: nesting deeper than ``Limits/maxDepth`` and any declared length above
/// ``Limits/maxLength`` or above what the remaining input could hold are refused before
/// anything is allocated, so a frame of N bytes never costs more than a small multiple of N.
/// Nothing here traps on input; every refusal is a ``MessagePackError``.
public enum MessagePack {
    public struct Limits: Sendable, Equatable {
        /// Containers inside containers, counting the outermost as 1.
        public var maxDepth: Int
        /// Largest declared string/binary byte count or container element count.
        public var maxLength: Int

        public init(maxDepth: Int = 64, maxLength: Int = 1 << 24) {
            self.maxDepth = maxDepth
            self.maxLength = maxLength
        }
    }

    /// Decodes exactly one value filling `bytes`.
    public static func decode(_ bytes: [UInt8], limits: Limits = Limits()) throws(MessagePackError) -> MessagePackValue {
        var reader = Reader(bytes: bytes, limits: limits)
        let value = try reader.value(depth: 0)
        guard reader.offset == bytes.count else { throw MessagePackError(.trailingBytes, at: reader.offset) }
        return value
    }

    /// Encodes `value` in the shortest format for each item.
    public static func encode(_ value: MessagePackValue) -> [UInt8] {
        var out: [UInt8] = []
        Writer.write(value, into: &out)
        return out
    }
}

extension MessagePack {
    struct Reader {
        let bytes: [UInt8]
        let limits: Limits
        var offset = 0

        init(bytes: [UInt8], limits: Limits) {
            self.bytes = bytes
            self.limits = limits
        }

        var remaining: Int { bytes.count - offset }

        mutating func byte() throws(MessagePackError) -> UInt8 {
            guard offset < bytes.count else { throw MessagePackError(.truncated, at: offset) }
            defer { offset += 1 }
            return bytes[offset]
        }

        /// A big-endian unsigned integer of `width` bytes.
        mutating func unsigned(_ width: Int) throws(MessagePackError) -> UInt64 {
            guard remaining >= width else { throw MessagePackError(.truncated, at: offset) }
            var v: UInt64 = 0
            for i in 0..<width { v = v << 8 | UInt64(bytes[offset + i]) }
            offset += width
            return v
        }

        /// A declared length, checked against the limit (else `tooLong`) and against
        /// `remaining / unit` (each item needs at least `unit` bytes; else `truncated`) before
        /// the caller allocates for it.
        mutating func length(_ width: Int, unit: Int) throws(MessagePackError) -> Int {
            let at = offset
            let declared = try unsigned(width)
            return try checked(declared, unit: unit, at: at)
        }

        func checked(_ declared: UInt64, unit: Int, at: Int) throws(MessagePackError) -> Int {
            guard let n = Int(exactly: declared), n <= limits.maxLength else {
                throw MessagePackError(.tooLong(declared: declared, limit: limits.maxLength), at: at)
            }
            guard n <= remaining / unit else { throw MessagePackError(.truncated, at: at) }
            return n
        }

        mutating func raw(_ count: Int) -> ArraySlice<UInt8> {
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func string(_ count: Int) -> MessagePackValue {
            // Lenient on purpose: log text a peer mis-encoded becomes U+FFFD, not a dropped link.
            .string(String(decoding: raw(count), as: UTF8.self))
        }

        mutating func signed(_ width: Int) throws(MessagePackError) -> MessagePackValue {
            let u = try unsigned(width)
            let shift = UInt64(64 - 8 * width)
            // Sign-extend from `width` bytes: bit patterns only, no arithmetic that can trap.
            return .int(Int64(bitPattern: u << shift) >> Int64(shift))
        }

        static func canonical(_ u: UInt64) -> MessagePackValue {
            if let i = Int64(exactly: u) { return .int(i) }
            return .uint(u)
        }

        mutating func value(depth: Int) throws(MessagePackError) -> MessagePackValue {
            let at = offset
            let b = try byte()
            switch b {
            case 0x00...0x7f: return .int(Int64(b))
            case 0xe0...0xff: return .int(Int64(Int8(bitPattern: b)))
            case 0xa0...0xbf: return string(try checked(UInt64(b & 0x1f), unit: 1, at: at))
            case 0x90...0x9f: return try array(try checked(UInt64(b & 0x0f), unit: 1, at: at), depth: depth, at: at)
            case 0x80...0x8f: return try map(try checked(UInt64(b & 0x0f), unit: 2, at: at), depth: depth, at: at)
            case 0xc0: return .nil
            case 0xc2: return .bool(false)
            case 0xc3: return .bool(true)
            case 0xc4: return .binary(Array(raw(try length(1, unit: 1))))
            case 0xc5: return .binary(Array(raw(try length(2, unit: 1))))
            case 0xc6: return .binary(Array(raw(try length(4, unit: 1))))
            case 0xca: return .float(Float(bitPattern: UInt32(truncatingIfNeeded: try unsigned(4))))
            case 0xcb: return .double(Double(bitPattern: try unsigned(8)))
            case 0xcc: return Self.canonical(try unsigned(1))
            case 0xcd: return Self.canonical(try unsigned(2))
            case 0xce: return Self.canonical(try unsigned(4))
            case 0xcf: return Self.canonical(try unsigned(8))
            case 0xd0: return try signed(1)
            case 0xd1: return try signed(2)
            case 0xd2: return try signed(4)
            case 0xd3: return try signed(8)
            case 0xd9: return string(try length(1, unit: 1))
            case 0xda: return string(try length(2, unit: 1))
            case 0xdb: return string(try length(4, unit: 1))
            case 0xdc: return try array(try length(2, unit: 1), depth: depth, at: at)
            case 0xdd: return try array(try length(4, unit: 1), depth: depth, at: at)
            case 0xde: return try map(try length(2, unit: 2), depth: depth, at: at)
            case 0xdf: return try map(try length(4, unit: 2), depth: depth, at: at)
            case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
                throw MessagePackError(.extensionType, at: at)
            default:  // 0xc1
                throw MessagePackError(.reservedByte, at: at)
            }
        }

        mutating func array(_ count: Int, depth: Int, at: Int) throws(MessagePackError) -> MessagePackValue {
            guard depth < limits.maxDepth else { throw MessagePackError(.tooDeep(limit: limits.maxDepth), at: at) }
            var items: [MessagePackValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try value(depth: depth + 1)) }
            return .array(items)
        }

        mutating func map(_ count: Int, depth: Int, at: Int) throws(MessagePackError) -> MessagePackValue {
            guard depth < limits.maxDepth else { throw MessagePackError(.tooDeep(limit: limits.maxDepth), at: at) }
            var entries: [MessagePackValue.MapEntry] = []
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let key = try value(depth: depth + 1)
                entries.append(.init(key, try value(depth: depth + 1)))
            }
            return .map(entries)
        }
    }

    enum Writer {
        static func write(_ value: MessagePackValue, into out: inout [UInt8]) {
            switch value {
            case .nil: out.append(0xc0)
            case .bool(let b): out.append(b ? 0xc3 : 0xc2)
            case .int(let v):
                if v >= 0 {
                    unsigned(UInt64(v), into: &out)
                } else if v >= -32 {
                    out.append(UInt8(bitPattern: Int8(v)))
                } else if v >= Int64(Int8.min) {
                    out.append(0xd0); be(UInt64(bitPattern: v), 1, into: &out)
                } else if v >= Int64(Int16.min) {
                    out.append(0xd1); be(UInt64(bitPattern: v), 2, into: &out)
                } else if v >= Int64(Int32.min) {
                    out.append(0xd2); be(UInt64(bitPattern: v), 4, into: &out)
                } else {
                    out.append(0xd3); be(UInt64(bitPattern: v), 8, into: &out)
                }
            case .uint(let v): unsigned(v, into: &out)
            case .float(let f): out.append(0xca); be(UInt64(f.bitPattern), 4, into: &out)
            case .double(let d): out.append(0xcb); be(d.bitPattern, 8, into: &out)
            case .string(let s):
                let utf8 = Array(s.utf8)
                header(utf8.count, fix: 0xa0, fixMax: 31, formats: [(0xd9, 1), (0xda, 2), (0xdb, 4)], into: &out)
                out.append(contentsOf: utf8)
            case .binary(let b):
                header(b.count, fix: nil, fixMax: -1, formats: [(0xc4, 1), (0xc5, 2), (0xc6, 4)], into: &out)
                out.append(contentsOf: b)
            case .array(let items):
                header(items.count, fix: 0x90, fixMax: 15, formats: [(0xdc, 2), (0xdd, 4)], into: &out)
                for item in items { write(item, into: &out) }
            case .map(let entries):
                header(entries.count, fix: 0x80, fixMax: 15, formats: [(0xde, 2), (0xdf, 4)], into: &out)
                for entry in entries {
                    write(entry.key, into: &out)
                    write(entry.value, into: &out)
                }
            }
        }

        static func unsigned(_ v: UInt64, into out: inout [UInt8]) {
            switch v {
            case 0...0x7f: out.append(UInt8(v))
            case 0...0xff: out.append(0xcc); be(v, 1, into: &out)
            case 0...0xffff: out.append(0xcd); be(v, 2, into: &out)
            case 0...0xffff_ffff: out.append(0xce); be(v, 4, into: &out)
            default: out.append(0xcf); be(v, 8, into: &out)
            }
        }

        /// The shortest header for a length: a fix format when it fits, else the first of
        /// `formats` (marker, width in bytes) whose width holds it. Lengths above 2^32 - 1
        /// cannot be encoded; nothing Minibot sends comes near (frames are capped far below).
        static func header(_ count: Int, fix: UInt8?, fixMax: Int, formats: [(UInt8, Int)], into out: inout [UInt8]) {
            if let fix, count <= fixMax {
                out.append(fix | UInt8(count))
                return
            }
            for (marker, width) in formats where UInt64(count) < (UInt64(1) << UInt64(8 * width)) {
                out.append(marker)
                be(UInt64(count), width, into: &out)
                return
            }
            preconditionFailure("MessagePack length \(count) does not fit 32 bits")
        }

        static func be(_ v: UInt64, _ width: Int, into out: inout [UInt8]) {
            for i in stride(from: width - 1, through: 0, by: -1) {
                out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i)))
            }
        }
    }
}
