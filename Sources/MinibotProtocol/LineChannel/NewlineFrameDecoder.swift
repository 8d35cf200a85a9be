import NIOCore

/// Splits a byte stream into lines (without the `\n`), refusing lines past a length limit.
///
/// Installed by `LineChannel` on every connection, on the channel's event loop. NIOExtras has a
/// `LineBasedFrameDecoder`, but it is not worth a package for a dozen lines, and it has no limit:
/// a peer that never sends `\n` must not make us buffer without end.
struct NewlineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maxLineLength: Int
    private var scanned = 0

    init(maxLineLength: Int) {
        self.maxLineLength = maxLineLength
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        if let newline = view.dropFirst(scanned).firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - view.startIndex
            var line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            scanned = 0
            // Tolerate CRLF from hand-written clients (socat, nc).
            if line.readableBytesView.last == UInt8(ascii: "\r") {
                line.moveWriterIndex(to: line.writerIndex - 1)
            }
            context.fireChannelRead(Self.wrapInboundOut(line))
            return .continue
        }
        scanned = view.count
        if scanned > maxLineLength {
            throw LineChannelError(message: "line longer than \(maxLineLength) bytes")
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A last line without its newline is dropped: the peer closed mid-message.
        .needMoreData
    }
}
