import MinibotCore

/// Compression of step output, one chunk at a time, in any ``LogCodec``.
///
/// Each chunk is compressed on its own (no shared dictionary), so any chunk of a log can
/// be read without the ones before it, and a lost chunk loses only itself. Compressed data
/// read back (from a worker, from the store) is hostile input: it inflates into exactly the
/// size it claims, at most ``maxChunkBytes``, or it is an error.
public enum LogCompression {
    /// The largest size a compressed chunk may claim to inflate to; a claim above it is an
    /// error before anything is allocated. Workers send at most `WorkerWire.maxOutputBytes`.
    public static let maxChunkBytes = 16 << 20

    /// The `codec` data for `text`, or nil when the library fails (it does not for valid input).
    public static func compress(_ text: String, codec: LogCodec = .zlib) -> [UInt8]? {
        var text = text
        return text.withUTF8 { compress(UnsafeRawBufferPointer($0), codec: codec) }
    }

    /// The `codec` data for `bytes`, or nil when the library fails.
    public static func compress(_ bytes: UnsafeRawBufferPointer, codec: LogCodec = .zlib) -> [UInt8]? {
        switch codec {
        case .zlib: Zlib.compress(bytes)
        case .zstd: Zstd.compress(bytes)
        }
    }

    /// The text of a payload; compressed data that does not inflate to exactly its size is
    /// an error (a damaged row), never a silently short log or a crash.
    public static func text(of payload: LogPayload) throws -> String {
        switch payload {
        case .text(let text):
            return text
        case .compressed(let bytes, let size, let codec):
            guard size >= 0, size <= maxChunkBytes else {
                throw LogCompressionError(message: "a compressed log chunk claims \(size) bytes (at most \(maxChunkBytes))")
            }
            return try String(unsafeUninitializedCapacity: size) { output in
                let exact = UnsafeMutableBufferPointer(rebasing: output[0..<size])
                switch codec {
                case .zlib: try Zlib.inflate(bytes, into: exact)
                case .zstd: try Zstd.inflate(bytes, into: exact)
                }
                return size
            }
        }
    }
}
