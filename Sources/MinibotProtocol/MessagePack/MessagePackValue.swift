/// One MessagePack value, as decoded from or encoded to the wire (spec:
/// https://github.com/msgpack/msgpack/blob/master/spec.md).
///
/// Integers have one canonical form whatever format carried them: `.int` for every value that
/// fits an `Int64`, `.uint` only above `Int64.max`. So a value decoded from a peer compares
/// equal to the literal a test or a caller writes, and the encoder picks the shortest format
/// (what Python's `msgpack` does too). Floats keep their width. Maps keep their order and
/// their keys' types: the peer may repeat a key or use a non-string one, and we decide what
/// that means where we read it (``subscript(_:)`` takes the first match).
///
/// Extension types are not represented: the decoder refuses them (``MessagePackError``).
public enum MessagePackValue: Sendable, Equatable {
    case `nil`
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case float(Float)
    case double(Double)
    case string(String)
    case binary([UInt8])
    case array([MessagePackValue])
    case map([MapEntry])

    /// One key/value pair of a map.
    public struct MapEntry: Sendable, Equatable {
        public var key: MessagePackValue
        public var value: MessagePackValue

        public init(_ key: MessagePackValue, _ value: MessagePackValue) {
            self.key = key
            self.value = value
        }
    }

    /// A map with string keys, in the order given.
    public static func map(_ pairs: KeyValuePairs<String, MessagePackValue>) -> MessagePackValue {
        .map(pairs.map { MapEntry(.string($0.key), $0.value) })
    }
}

extension MessagePackValue {
    /// The value under a string key of a map (the first, if the peer repeated it); nil for a
    /// missing key or when this is not a map.
    public subscript(_ key: String) -> MessagePackValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == .string(key) }?.value
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [MessagePackValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNil: Bool { self == .nil }

    /// The integer, when it is one and lies in `range`; never a conversion that can trap.
    public func integer(in range: ClosedRange<Int>) -> Int? {
        switch self {
        case .int(let v):
            guard let i = Int(exactly: v), range.contains(i) else { return nil }
            return i
        case .uint(let v):
            guard let i = Int(exactly: v), range.contains(i) else { return nil }
            return i
        default:
            return nil
        }
    }

    /// A number as a `Double` (integers and both float widths); nil for anything else and for
    /// NaN or infinity, which no field of the worker protocol can mean.
    public var finiteDouble: Double? {
        let d: Double
        switch self {
        case .int(let v): d = Double(v)
        case .uint(let v): d = Double(v)
        case .float(let f): d = Double(f)
        case .double(let v): d = v
        default: return nil
        }
        return d.isFinite ? d : nil
    }
}
