import Foundation
import NIOCore
import NIOPosix

/// JSON lines over a unix-domain stream socket: one `Codable` message per line, UTF-8,
/// `\n`-terminated, dates as ISO-8601 strings.
///
/// The transport of every local link (worker ↔ host agent, the worker's control socket). It is
/// generic over the message types, so each link keeps its own contract file and only shares this
/// framing. Both sides use it the same way, in structured concurrency:
///
/// ```swift
/// try await LineChannel.connect(to: path, receiving: AgentEvent.self, sending: AgentRequest.self) { connection in
///     try await connection.outbound.send(.hello(...))
///     for try await message in connection.inbound { ... }
/// }   // the socket is closed when the closure returns or throws
/// ```
///
/// `LineConnection.outbound` is `Sendable` and may be used from any task while the closure runs;
/// `inbound` must be iterated by one task only.
public enum LineChannel {
    /// Longest accepted line; longer ones close the connection.
    public static let defaultMaxLineLength = 1 << 20

    /// Connects to a listening `LineServer`, runs `body` with the connection, then closes it.
    ///
    /// Throws `LineChannelError` when nothing listens at `path`.
    public static func connect<Inbound: Decodable & Sendable, Outbound: Encodable & Sendable, Result: Sendable>(
        to path: String,
        receiving: Inbound.Type = Inbound.self,
        sending: Outbound.Type = Outbound.self,
        maxLineLength: Int = defaultMaxLineLength,
        _ body: (LineConnection<Inbound, Outbound>) async throws -> Result
    ) async throws -> Result {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try wrap(channel, maxLineLength: maxLineLength)
                    }
                }
        } catch {
            throw LineChannelError(message: "cannot connect to \(path): \(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(LineConnection(inbound: inbound, outbound: outbound))
        }
    }

    static func wrap(_ channel: any Channel, maxLineLength: Int) throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(NewlineFrameDecoder(maxLineLength: maxLineLength))
        )
        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
    }

    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// One open line connection, as handed to a `LineChannel.connect` or `LineServer` handler.
public struct LineConnection<Inbound: Decodable & Sendable, Outbound: Encodable & Sendable>: Sendable {
    /// Decoded messages in arrival order; a line that does not decode is yielded as a failure
    /// (so a server can answer with an error and keep the connection). Ends when the peer closes.
    public let inbound: LineInbound<Inbound>
    /// Sends messages; safe to share between tasks while the connection is open.
    public let outbound: LineOutbound<Outbound>

    init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.inbound = LineInbound(base: inbound)
        self.outbound = LineOutbound(writer: outbound)
    }
}

/// The receiving half of a `LineConnection`: an async sequence of decoded messages.
public struct LineInbound<Message: Decodable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = Result<Message, LineChannelError>

    let base: NIOAsyncChannelInboundStream<ByteBuffer>

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), decoder: LineChannel.makeDecoder())
    }

    /// Iterates the lines of one connection; not shared between tasks.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let decoder: JSONDecoder

        public mutating func next() async throws -> Element? {
            guard let line = try await base.next() else { return nil }
            do {
                return .success(try decoder.decode(Message.self, from: Data(line.readableBytesView)))
            } catch {
                let text = String(buffer: line)
                return .failure(LineChannelError(message: "cannot decode \(text.prefix(200).debugDescription): \(error)"))
            }
        }
    }
}

/// The sending half of a `LineConnection`.
public struct LineOutbound<Message: Encodable & Sendable>: Sendable {
    let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>

    /// Encodes `message` as one line and writes it; throws once the connection is closed.
    public func send(_ message: Message) async throws {
        var data = try LineChannel.makeEncoder().encode(message)
        data.append(UInt8(ascii: "\n"))
        try await writer.write(ByteBuffer(bytes: data))
    }
}
