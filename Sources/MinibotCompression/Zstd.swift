import CZstd

/// zstd one chunk at a time (each chunk one frame, or several frames back to back).
enum Zstd {
    /// The fastest regular level: as for zlib, the worker compresses while the step runs. On
    /// build output it compresses as well as level 3 (base64: the same size) at ~1.5× the speed.
    static let level: Int32 = 1

    static func compress(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        let capacity = ZSTD_compressBound(bytes.count)
        var written = 0
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
            let result = ZSTD_compress(out.baseAddress, capacity, bytes.baseAddress, bytes.count, level)
            written = ZSTD_isError(result) == 0 ? result : -1
            count = max(0, written)
        }
        return written >= 0 ? output : nil
    }

    /// Decompresses `bytes` into `output`, which must end up exactly full: zstd never writes
    /// past `output`, so a frame that claims or holds more is an error, not an allocation.
    static func inflate(_ bytes: [UInt8], into output: UnsafeMutableBufferPointer<UInt8>) throws {
        let result = bytes.withUnsafeBufferPointer { input in
            ZSTD_decompress(output.baseAddress, output.count, input.baseAddress, input.count)
        }
        if ZSTD_isError(result) != 0 {
            let reason = String(cString: ZSTD_getErrorName(result))
            throw LogCompressionError(message: "a zstd log chunk does not decompress to its \(output.count) bytes (\(reason))")
        }
        guard result == output.count else {
            throw LogCompressionError(message: "a zstd log chunk decompresses to \(result) bytes, not its \(output.count)")
        }
    }
}
