import CZlib

/// zlib one chunk at a time: the codec of older workers and older stored logs.
enum Zlib {
    /// The fastest level: a chunk is compressed once, on the worker, while the step runs.
    static let level: Int32 = 1

    static func compress(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            compress2(out.baseAddress, &capacity, bytes.bindMemory(to: Bytef.self).baseAddress, uLong(bytes.count), level)
        }
        guard status == Z_OK else { return nil }
        output.removeLast(output.count - Int(capacity))
        return output
    }

    /// Inflates `bytes` into `output`, which must end up exactly full.
    static func inflate(_ bytes: [UInt8], into output: UnsafeMutableBufferPointer<UInt8>) throws {
        var length = uLongf(output.count)
        let status = bytes.withUnsafeBufferPointer { input in
            uncompress(output.baseAddress, &length, input.baseAddress, uLong(input.count))
        }
        guard status == Z_OK, Int(length) == output.count else {
            throw LogCompressionError(message: "a zlib log chunk does not inflate to its \(output.count) bytes (zlib status \(status))")
        }
    }
}
