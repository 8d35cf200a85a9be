import CZstd
import Synchronization

/// A zstd compression context kept from one chunk to the next: `ZSTD_compress` makes and
/// frees one per call, and at 64 KiB chunks that allocation costs as much as a good part
/// of the compression. The lock is uncontended (one stream's chunks come one at a time); it
/// keeps the C context to one caller should a copy of its owner ever be used from two tasks.
final class ZstdCompressor: Sendable {
    /// The `ZSTD_CCtx` pointer's bit pattern (0: none could be made), so the lock holds a
    /// plain value.
    private let context: Mutex<Int>

    init() {
        context = Mutex(Int(bitPattern: ZSTD_createCCtx()))
    }

    deinit {
        context.withLock { _ = ZSTD_freeCCtx(OpaquePointer(bitPattern: $0)) }
    }

    /// One zstd frame for `bytes`, or nil when zstd fails (it does not for valid input).
    func compress(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        context.withLock { pattern -> [UInt8]? in
            guard let context = OpaquePointer(bitPattern: pattern) else { return Zstd.compress(bytes) }
            let capacity = ZSTD_compressBound(bytes.count)
            var failed = false
            let output = [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
                let result = ZSTD_compressCCtx(context, out.baseAddress, capacity, bytes.baseAddress, bytes.count, Zstd.level)
                failed = ZSTD_isError(result) != 0
                count = failed ? 0 : result
            }
            return failed ? nil : output
        }
    }
}
