import CZlib
import MinibotCore

/// zlib for step output, one chunk at a time.
///
/// Each chunk is compressed on its own (no shared dictionary), so any chunk of a log can
/// be read without the ones before it, and a lost chunk loses only itself.
public enum LogCompression {
    /// The fastest zlib level: a log chunk is compressed once, on the worker, while the
    /// step runs, so speed matters more than the last few percent of size.
    public static let level: Int32 = 1

    /// The zlib data for `text`, or nil when zlib fails (it does not for valid input).
    public static func compress(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { compress(UnsafeRawBufferPointer($0)) }
    }

    /// The zlib data for `bytes`, or nil when zlib fails.
    public static func compress(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            compress2(out.baseAddress, &capacity, bytes.bindMemory(to: Bytef.self).baseAddress, uLong(bytes.count), level)
        }
        guard status == Z_OK else { return nil }
        output.removeLast(output.count - Int(capacity))
        return output
    }

    /// The text of a payload; compressed data that does not inflate to exactly its size is
    /// an error (a damaged row), never a silently short log.
    public static func text(of payload: LogPayload) throws -> String {
        switch payload {
        case .text(let text):
            return text
        case .compressed(let bytes, let size):
            var length = uLongf(size)
            var output = [UInt8](repeating: 0, count: size)
            let status = output.withUnsafeMutableBufferPointer { out in
                bytes.withUnsafeBufferPointer { input in
                    uncompress(out.baseAddress, &length, input.baseAddress, uLong(input.count))
                }
            }
            guard status == Z_OK, Int(length) == size else {
                throw LogCompressionError(message: "a compressed log chunk does not inflate to its \(size) bytes (zlib status \(status))")
            }
            return String(decoding: output, as: UTF8.self)
        }
    }
}

/// A compressed log chunk that could not be read back.
public struct LogCompressionError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
