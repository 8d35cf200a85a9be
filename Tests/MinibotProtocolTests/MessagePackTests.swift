import MinibotProtocol
import Testing

/// The codec against bytes made by Python's msgpack (MessagePackFixtures.swift, written by
/// scripts/msgpack-fixtures), then against hostile input.
struct MessagePackTests {
    /// What each fixture decodes to; encoding it must give Python's bytes back.
    static let expected: [String: MessagePackValue] = [
        "nil": .nil, "true": .bool(true), "false": .bool(false),
        "int_0": .int(0), "int_127": .int(127), "uint8_128": .int(128), "uint8_255": .int(255),
        "uint16_256": .int(256), "uint16_65535": .int(65535), "uint32_65536": .int(65536),
        "uint32_max": .int(4_294_967_295), "uint64_2_32": .int(4_294_967_296), "int64_max": .int(.max),
        "uint64_2_63": .uint(1 << 63), "uint64_max": .uint(.max),
        "negfix_1": .int(-1), "negfix_32": .int(-32), "int8_33": .int(-33), "int8_min": .int(-128),
        "int16_129": .int(-129), "int16_min": .int(-32768), "int32_32769": .int(-32769),
        "int32_min": .int(-2_147_483_648), "int64_2_31_1": .int(-2_147_483_649), "int64_min": .int(.min),
        "float64_3_25": .double(3.25), "float64_neg": .double(-1e300), "float32_1_5": .float(1.5),
        "str_empty": .string(""), "str_a": .string("a"), "str_31": .string(String(repeating: "x", count: 31)),
        "str8_32": .string(String(repeating: "x", count: 32)), "str8_255": .string(String(repeating: "y", count: 255)),
        "str16_256": .string(String(repeating: "z", count: 256)), "str_unicode": .string("h\u{e9}llo \u{2603} \u{1F600}"),
        "bin_empty": .binary([]), "bin8_2": .binary([0, 255]), "bin16_256": .binary((0...255).map { UInt8($0) }),
        "array_empty": .array([]), "array_3": .array([.int(1), .string("two"), .nil]),
        "array16_16": .array((0..<16).map { .int(Int64($0)) }),
        "map_empty": .map([]), "map_1": .map(["a": .int(1)]),
        "map16_16": .map((0..<16).map { i in
            .init(.string("k" + (i < 10 ? "0" : "") + String(i)), .int(Int64(i)))
        }),
        "map_int_key": .map([.init(.int(1), .string("one"))]),
        "update_message": .map([
            "op": .string("update"), "seq_number": .int(7), "command_id": .string("c1"),
            "args": .array([
                .array([.string("stdout"), .array([.string("hi\n"), .array([.int(2)]), .array([.double(1_700_000_000.5)])])]),
                .array([.string("rc"), .int(0)]),
            ]),
        ]),
    ]

    static let large: [String: MessagePackValue] = [
        "str32_65536": .string(String(repeating: "s", count: 65536)),
        "bin32_65536": .binary([UInt8](repeating: 7, count: 65536)),
        "array32_65536": .array([MessagePackValue](repeating: .nil, count: 65536)),
        "map32_65536": .map((0..<65536).map { .init(.int(Int64($0)), .nil) }),
    ]

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    static func fnv1a(_ data: [UInt8]) -> UInt64 {
        data.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    @Test func everyFixtureHasAnExpectedValue() {
        #expect(Set(MessagePackFixtures.hex.keys) == Set(Self.expected.keys))
        #expect(Set(MessagePackFixtures.large.keys) == Set(Self.large.keys))
    }

    @Test(arguments: MessagePackFixtures.hex.keys.sorted())
    func decodesAndEncodesLikePython(_ name: String) throws {
        let bytes = Self.bytes(MessagePackFixtures.hex[name]!)
        let value = try #require(Self.expected[name])
        #expect(try MessagePack.decode(bytes) == value)
        #expect(MessagePack.encode(value) == bytes)
    }

    @Test(arguments: MessagePackFixtures.large.keys.sorted())
    func thirtyTwoBitLengthsMatchPython(_ name: String) throws {
        let value = try #require(Self.large[name])
        let encoded = MessagePack.encode(value)
        let fixture = try #require(MessagePackFixtures.large[name])
        #expect(encoded.count == fixture.count)
        #expect(Self.fnv1a(encoded) == fixture.fnv1a)
        #expect(try MessagePack.decode(encoded) == value)
    }

    @Test func signedFormatsCarryingSmallValuesDecodeToTheSameValue() throws {
        // Another encoder may use int8..int64 for values Python would write as fixint.
        #expect(try MessagePack.decode([0xd0, 0x05]) == .int(5))
        #expect(try MessagePack.decode([0xd3, 0, 0, 0, 0, 0, 0, 0, 0x05]) == .int(5))
        #expect(try MessagePack.decode([0xcc, 0x05]) == .int(5))
    }

    // MARK: refusals

    static func refusal(_ bytes: [UInt8], limits: MessagePack.Limits = .init()) -> MessagePackError.Kind? {
        do {
            _ = try MessagePack.decode(bytes, limits: limits)
            return nil
        } catch {
            return error.kind
        }
    }

    @Test func extensionTypesAreRefused() {
        for marker: UInt8 in [0xd4, 0xd5, 0xd6, 0xd7, 0xd8] {
            #expect(Self.refusal([marker, 0x01] + [UInt8](repeating: 0, count: 16)) == .extensionType)
        }
        #expect(Self.refusal([0xc7, 0x01, 0x01, 0x00]) == .extensionType)
        #expect(Self.refusal([0xc8, 0x00, 0x01, 0x01, 0x00]) == .extensionType)
        #expect(Self.refusal([0xc9, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00]) == .extensionType)
        // Inside a container too.
        #expect(Self.refusal([0x91, 0xd4, 0x01, 0x00]) == .extensionType)
    }

    @Test func theNeverUsedByteIsRefused() {
        #expect(Self.refusal([0xc1]) == .reservedByte)
    }

    @Test func truncatedInputIsRefused() {
        #expect(Self.refusal([]) == .truncated)
        #expect(Self.refusal([0xcd, 0x01]) == .truncated)
        #expect(Self.refusal([0xcb, 0, 0, 0]) == .truncated)
        #expect(Self.refusal([0xa3, 0x61]) == .truncated)
        #expect(Self.refusal([0xd9]) == .truncated)
        #expect(Self.refusal([0x92, 0x01]) == .truncated)
        #expect(Self.refusal([0x81, 0xa1, 0x61]) == .truncated)
        // Every proper prefix of a real message.
        let message = Self.bytes(MessagePackFixtures.hex["update_message"]!)
        for end in 0..<message.count {
            #expect(Self.refusal(Array(message[..<end])) == .truncated)
        }
    }

    @Test func declaredLengthsBeyondTheInputAreRefusedBeforeAllocating() {
        // 4 GiB of string, array or map entries declared in a few bytes: over the default
        // limit, and with no limit at all still more than the input holds.
        let unlimited = MessagePack.Limits(maxLength: .max)
        for hostile: [UInt8] in [[0xdb, 0xff, 0xff, 0xff, 0xff, 0x61], [0xc6, 0xff, 0xff, 0xff, 0xff],
                                 [0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0], [0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0]] {
            #expect(Self.refusal(hostile) == .tooLong(declared: 0xffff_ffff, limit: 1 << 24))
            #expect(Self.refusal(hostile, limits: unlimited) == .truncated)
        }
        // A map of 2 entries needs at least 4 more bytes.
        #expect(Self.refusal([0x82, 0xc0, 0xc0, 0xc0]) == .truncated)
    }

    @Test func declaredLengthsOverTheLimitAreRefused() {
        let limits = MessagePack.Limits(maxDepth: 64, maxLength: 4)
        #expect(Self.refusal([0xa5] + Array("hello".utf8), limits: limits) == .tooLong(declared: 5, limit: 4))
        #expect(Self.refusal([0xc4, 0x05, 1, 2, 3, 4, 5], limits: limits) == .tooLong(declared: 5, limit: 4))
        #expect(Self.refusal([0x95, 1, 2, 3, 4, 5], limits: limits) == .tooLong(declared: 5, limit: 4))
        #expect(Self.refusal([0x94, 1, 2, 3, 4], limits: limits) == nil)
    }

    @Test func nestingDeeperThanTheLimitIsRefused() {
        let deepest = [UInt8](repeating: 0x91, count: 64) + [0xc0]
        #expect(Self.refusal(deepest) == nil)
        #expect(Self.refusal([0x91] + deepest) == .tooDeep(limit: 64))
        #expect(Self.refusal([0x81, 0xc0, 0x81, 0xc0, 0xc0], limits: .init(maxDepth: 1)) == .tooDeep(limit: 1))
        // A hostile frame of a million nested arrays ends in an error, not a stack overflow.
        #expect(Self.refusal([UInt8](repeating: 0x91, count: 1_000_000)) == .tooDeep(limit: 64))
    }

    @Test func trailingBytesAreRefused() {
        #expect(Self.refusal([0xc0, 0xc0]) == .trailingBytes)
    }

    @Test func invalidUTF8BecomesReplacementCharacters() throws {
        #expect(try MessagePack.decode([0xa2, 0x61, 0xff]) == .string("a\u{FFFD}"))
    }

    @Test func checkedAccessors() {
        let message = MessagePackValue.map(["n": .int(300), "big": .uint(.max), "s": .string("x"), "d": .double(.nan)])
        #expect(message["n"]?.integer(in: 0...1000) == 300)
        #expect(message["n"]?.integer(in: 0...255) == nil)
        #expect(message["big"]?.integer(in: 0...Int.max) == nil)
        #expect(message["s"]?.integer(in: 0...1) == nil)
        #expect(message["s"]?.stringValue == "x")
        #expect(message["d"]?.finiteDouble == nil)
        #expect(message["missing"] == nil)
        #expect(MessagePackValue.int(1)["n"] == nil)
    }
}
