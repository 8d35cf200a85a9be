/// Why bytes are not an acceptable MessagePack value; `offset` is where decoding stopped.
public struct MessagePackError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The input ends inside a value, or a declared length is more than the input left.
        case truncated
        /// An extension type (fixext, ext 8/16/32): nothing Minibot reads uses them.
        case extensionType
        /// 0xc1, which the format never uses.
        case reservedByte
        /// Containers nested deeper than the limit.
        case tooDeep(limit: Int)
        /// A string, binary or container declares more than the limit.
        case tooLong(declared: UInt64, limit: Int)
        /// Bytes follow the value.
        case trailingBytes
    }

    public var kind: Kind
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String {
        switch kind {
        case .truncated: "MessagePack input ends inside a value (at byte \(offset))"
        case .extensionType: "MessagePack extension type at byte \(offset) is not supported"
        case .reservedByte: "MessagePack byte 0xc1 (never used) at byte \(offset)"
        case .tooDeep(let limit): "MessagePack containers nested deeper than \(limit) at byte \(offset)"
        case .tooLong(let declared, let limit):
            "MessagePack length \(declared) at byte \(offset) exceeds the limit of \(limit)"
        case .trailingBytes: "bytes follow the MessagePack value (from byte \(offset))"
        }
    }
}
