import Foundation

/// An `application/x-www-form-urlencoded` body, as the pages' forms post it: fields in order,
/// a name may repeat (one `worker` per ticked box). Bounded: at most ``maxFields`` fields;
/// bytes that do not decode become U+FFFD, never a failure.
struct WebForm: Sendable {
    static let maxFields = 1000

    private(set) var fields: [(name: String, value: String)]

    init(_ body: Data) {
        fields = []
        for pair in body.split(separator: UInt8(ascii: "&"), maxSplits: Self.maxFields, omittingEmptySubsequences: true)
            .prefix(Self.maxFields) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            fields.append((Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : ""))
        }
    }

    /// The first value of `name`, nil when absent.
    subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// The value of `name`, trimmed; nil when absent or blank.
    func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Every value of `name`, in order.
    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// `+` is a space, `%XY` a byte; a bad escape is kept as written.
    private static func decode(_ bytes: Data.SubSequence) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%"), bytes.distance(from: i, to: bytes.endIndex) >= 3,
                      let hi = hex(bytes[bytes.index(i, offsetBy: 1)]), let lo = hex(bytes[bytes.index(i, offsetBy: 2)]) {
                out.append(hi << 4 | lo)
                i = bytes.index(i, offsetBy: 3)
                continue
            } else {
                out.append(b)
            }
            i = bytes.index(after: i)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
