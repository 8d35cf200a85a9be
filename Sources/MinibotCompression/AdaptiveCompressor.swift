import MinibotCore

/// Decides, chunk by chunk, whether one stream of step output travels compressed.
///
/// Build logs are text and shrink 4–10× at zlib's fastest level, which costs the worker
/// less than the master saves (fewer bytes to unmask, store and checkpoint). Output that
/// does not shrink much (already compressed, random, base64) would mostly cost time, so
/// after a chunk that saves less than half the next ``skipAfterMiss`` chunks go as text and
/// then one is tried again. Chunks under ``minimumBytes`` always go as text.
public struct AdaptiveCompressor: Sendable {
    public static let minimumBytes = 512
    public static let skipAfterMiss = 16

    private var skipping = 0

    public init() {}

    public mutating func payload(for text: String) -> LogPayload {
        let size = text.utf8.count
        guard size >= Self.minimumBytes else { return .text(text) }
        if skipping > 0 {
            skipping -= 1
            return .text(text)
        }
        guard let compressed = LogCompression.compress(text), compressed.count * 2 <= size else {
            skipping = Self.skipAfterMiss
            return .text(text)
        }
        return .compressed(compressed, size: size)
    }
}
