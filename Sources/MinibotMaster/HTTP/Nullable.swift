/// A value the API writes as JSON `null` when absent, where a plain optional would leave the
/// key out: `"expected_start": null` says "unknown", a missing key says "not applicable".
struct Nullable<Wrapped: Encodable>: Encodable {
    var value: Wrapped?

    init(_ value: Wrapped?) {
        self.value = value
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let value { try c.encode(value) } else { try c.encodeNil() }
    }
}
