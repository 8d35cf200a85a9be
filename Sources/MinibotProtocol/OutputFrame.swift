import MinibotCore
import NIOCore

/// Step output as a binary WebSocket frame: the hot path of the master ↔ worker link.
///
/// JSON would escape and re-parse every byte of a step's output; a step printing 50 MB
/// made that the bottleneck. Layout (big-endian):
///
///     byte 0       "O" (0x4F), the frame kind
///     bytes 1–8    build id (Int64)
///     bytes 9–12   step number (Int32)
///     byte 13      stream: "o" stdout, "e" stderr, "h" header (LogStream's raw value)
///     bytes 14…    the output, UTF-8
///
/// Every other message stays a JSON text frame (WorkerWire.swift).
public enum OutputFrame {
    static let kind: UInt8 = 0x4F
    static let headerBytes = 14

    /// The binary frame for a chunk of output.
    public static func encode(_ output: WorkerMessage.StepOutput, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: headerBytes + output.text.utf8.count)
        buffer.writeInteger(kind)
        buffer.writeInteger(output.buildID)
        buffer.writeInteger(Int32(clamping: output.step))
        buffer.writeInteger(output.stream.rawValue.utf8.first ?? UInt8(ascii: "o"))
        buffer.writeString(output.text)
        return buffer
    }

    /// The output in a binary frame, or nil when the frame is not a well-formed output frame.
    public static func decode(_ frame: ByteBuffer) -> WorkerMessage.StepOutput? {
        var buffer = frame
        guard buffer.readableBytes >= headerBytes,
              buffer.readInteger(as: UInt8.self) == kind,
              let build = buffer.readInteger(as: Int64.self),
              let step = buffer.readInteger(as: Int32.self),
              let streamByte = buffer.readInteger(as: UInt8.self),
              let stream = LogStream(rawValue: String(UnicodeScalar(streamByte))),
              let text = buffer.readString(length: buffer.readableBytes) else { return nil }
        return WorkerMessage.StepOutput(buildID: build, step: Int(step), stream: stream, text: text)
    }
}
