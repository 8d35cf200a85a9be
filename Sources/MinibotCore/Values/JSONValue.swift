/// Any JSON value: the payload type of plugin messages and plugin state, whose shape only
/// the plugin knows.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var doubleValue: Double? { if case .number(let n) = self { return n }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }

    /// The number as an integer of type `T` within `range`: nil when it is not a number,
    /// not whole, not finite or out of range. The one conversion of a number from a client,
    /// a worker or an agent into an integer; `Int(someDouble)` traps on 1e300 and NaN.
    public func integer<T: FixedWidthInteger>(in range: ClosedRange<T>) -> T? {
        guard case .number(let n) = self, n.isFinite, let value = T(exactly: n), range.contains(value) else { return nil }
        return value
    }

    /// The number as an `Int`, when it is a whole number an `Int` can hold.
    public var intValue: Int? { integer(in: Int.min...Int.max) }

    /// The number when finite and within `range` (loads, pressures, seconds).
    public func number(in range: ClosedRange<Double>) -> Double? {
        guard case .number(let n) = self, n.isFinite, range.contains(n) else { return nil }
        return n
    }
}
