/// A piece of step output as the worker sends it and the store keeps it: plain text, or
/// compressed text (build logs are text that usually shrinks 4–10×; see
/// `MinibotCompression`). Readers always get text back.
public enum LogPayload: Sendable, Equatable {
    case text(String)
    /// Data in `codec`'s format that inflates to `size` bytes of UTF-8 text.
    case compressed([UInt8], size: Int, codec: LogCodec = .zlib)

    /// Bytes it takes on the wire and in the store.
    public var storedBytes: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .compressed(let bytes, _, _): bytes.count
        }
    }
}
