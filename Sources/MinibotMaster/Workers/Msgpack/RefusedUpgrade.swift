import NIOCore
import NIOHTTP1

/// Answers a refused stock-worker upgrade with the status that says why: 401 for bad or
/// missing credentials (and a worker declared for the other protocol: the same text, so the
/// same status), 409 for a name that is already connected. hummingbird-websocket answers
/// every upgrade its `shouldUpgrade` refuses with a bare 400 and offers no way to choose.
///
/// Called from the WebSocket router's `shouldUpgrade` just before it answers `.dontUpgrade`:
/// the response is written whole straight past the HTTP encoder (the bytes go to the socket
/// as they are) and the connection's output side is closed, so the library's own 400,
/// written next, goes nowhere (its failed write is only traced) and the client reads exactly
/// one answer. When the pipeline is not the one expected, nothing is written and the client
/// gets the library's 400.
enum RefusedUpgrade {
    enum Status: Equatable {
        case unauthorized
        case conflict

        var code: Int { self == .unauthorized ? 401 : 409 }
    }

    /// The whole HTTP/1.1 response: no body, and the connection ends after it.
    static func response(_ status: Status) -> String {
        let line = status == .unauthorized ? "401 Unauthorized" : "409 Conflict"
        let challenge = status == .unauthorized ? "WWW-Authenticate: Basic realm=\"minibot workers\"\r\n" : ""
        return "HTTP/1.1 \(line)\r\n\(challenge)Content-Length: 0\r\nConnection: close\r\n\r\n"
    }

    static func answer(_ status: Status, on channel: any Channel) async {
        let text = response(status)
        let done = channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            guard let encoder = try? channel.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self) else {
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            var buffer = channel.allocator.buffer(capacity: text.utf8.count)
            buffer.writeString(text)
            return encoder.writeAndFlush(NIOAny(buffer)).flatMap {
                channel.close(mode: .output).flatMapError { _ in channel.close() }
            }
        }
        try? await done.get()
    }
}
