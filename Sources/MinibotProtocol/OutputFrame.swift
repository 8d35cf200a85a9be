import MinibotCore
import NIOCore

/// Step output as a binary WebSocket frame: the hot path of the master ↔ worker link.
///
/// JSON would escape and re-parse every byte of a step's output; a step printing 50 MB
/// made that the bottleneck. Layout (big-endian):
///
///     byte 0       the frame kind: "O" (0x4F) text, "Z" (0x5A) zlib-compressed text,
///                  "S" (0x53) zstd-compressed text (only to a master whose welcome offered zstd)
///     bytes 1–8    build id (Int64)
///     bytes 9–12   step number (Int32)
///     byte 13      stream: "o" stdout, "e" stderr, "h" header (LogStream's raw value)
///     "O": bytes 14…   the output, UTF-8
///     "Z", "S": bytes 14–17 the output's size in bytes (UInt32), then bytes 18… its
///                  compressed data
///
/// The master stores a compressed chunk as it came; it inflates only when a log is read.
/// Every other message stays a JSON text frame (WorkerWire.swift).
public enum OutputFrame {
    static let textKind: UInt8 = 0x4F
    static let compressedKind: UInt8 = 0x5A
    static let zstdKind: UInt8 = 0x53
    static let headerBytes = 14

    /// The binary frame for a chunk of output.
    public static func encode(_ chunk: OutputChunk, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: headerBytes + 4 + chunk.payload.storedBytes)
        switch chunk.payload {
        case .text: buffer.writeInteger(textKind)
        case .compressed(_, _, .zlib): buffer.writeInteger(compressedKind)
        case .compressed(_, _, .zstd): buffer.writeInteger(zstdKind)
        }
        buffer.writeInteger(chunk.buildID)
        buffer.writeInteger(Int32(clamping: chunk.step))
        buffer.writeInteger(chunk.stream.rawValue.utf8.first ?? UInt8(ascii: "o"))
        switch chunk.payload {
        case .text(let text):
            buffer.writeString(text)
        case .compressed(let bytes, let size, _):
            buffer.writeInteger(UInt32(clamping: size))
            buffer.writeBytes(bytes)
        }
        return buffer
    }

    /// The output in a binary frame, or nil when the frame is not a well-formed output frame.
    public static func decode(_ frame: ByteBuffer) -> OutputChunk? {
        var buffer = frame
        guard buffer.readableBytes >= headerBytes,
              let kind = buffer.readInteger(as: UInt8.self), kind == textKind || kind == compressedKind || kind == zstdKind,
              let build = buffer.readInteger(as: Int64.self),
              let step = buffer.readInteger(as: Int32.self),
              let streamByte = buffer.readInteger(as: UInt8.self),
              let stream = LogStream(rawValue: String(UnicodeScalar(streamByte))) else { return nil }
        let payload: LogPayload
        if kind == textKind {
            guard let text = buffer.readString(length: buffer.readableBytes) else { return nil }
            payload = .text(text)
        } else {
            guard let size = buffer.readInteger(as: UInt32.self), size <= WorkerWire.maxOutputBytes,
                  let bytes = buffer.readBytes(length: buffer.readableBytes), !bytes.isEmpty else { return nil }
            payload = .compressed(bytes, size: Int(size), codec: kind == zstdKind ? .zstd : .zlib)
        }
        return OutputChunk(buildID: build, step: Int(step), stream: stream, payload: payload)
    }
}
