import MinibotCompression
import MinibotCore
import Synchronization

/// One ``AdaptiveCompressor`` per stream of a running step (stdout and stderr are pumped
/// concurrently, and one may be compressible while the other is not).
final class StepCompressors: Sendable {
    private let codec: LogCodec
    private let compressors = Mutex<[LogStream: AdaptiveCompressor]>([:])

    /// `codec`: what the master accepts (its welcome said).
    init(codec: LogCodec) {
        self.codec = codec
    }

    func payload(for text: String, on stream: LogStream) -> LogPayload {
        // Compress outside the lock: the two pumps must not wait for each other's zlib.
        var compressor = compressors.withLock { $0[stream] ?? AdaptiveCompressor(codec: codec) }
        let payload = compressor.payload(for: text)
        compressors.withLock { $0[stream] = compressor }
        return payload
    }
}
