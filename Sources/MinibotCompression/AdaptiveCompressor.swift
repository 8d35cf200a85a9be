import MinibotCore

/// Decides, chunk by chunk, whether one stream of step output travels compressed, in the
/// ``LogCodec`` the master accepts.
///
/// Build logs are text and shrink 4–10×, which costs the worker less than the master saves
/// (fewer bytes to unmask, store and checkpoint). A chunk travels compressed when that saves
/// at least ``LogCodec/worthwhileSaving`` of it: zstd keeps base64 and other dense text at
/// three quarters of its size, fast; zlib's fast level saves little there and slowly, so it
/// must halve a chunk. After a chunk that saves too little the next ``skipAfterMiss`` chunks
/// go as text and then one is tried again. Chunks under ``minimumBytes`` always go as text.
public struct AdaptiveCompressor: Sendable {
    public static let minimumBytes = 512
    public static let skipAfterMiss = 16

    public let codec: LogCodec
    private var skipping = 0
    /// zstd's context, reused from chunk to chunk.
    private let zstd: ZstdCompressor?

    public init(codec: LogCodec = .zlib) {
        self.codec = codec
        zstd = codec == .zstd ? ZstdCompressor() : nil
    }

    public mutating func payload(for text: String) -> LogPayload {
        let size = text.utf8.count
        guard size >= Self.minimumBytes else { return .text(text) }
        if skipping > 0 {
            skipping -= 1
            return .text(text)
        }
        var text = text
        let compressed = text.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            return zstd.map { $0.compress(bytes) } ?? LogCompression.compress(bytes, codec: codec)
        }
        guard let compressed,
              Double(compressed.count) <= Double(size) * (1 - codec.worthwhileSaving) else {
            skipping = Self.skipAfterMiss
            return .text(text)
        }
        return .compressed(compressed, size: size, codec: codec)
    }
}

extension LogCodec {
    /// The share of a chunk compression must save to be used (see ``AdaptiveCompressor``).
    public var worthwhileSaving: Double {
        switch self {
        case .zlib: 0.5
        case .zstd: 0.1
        }
    }
}
