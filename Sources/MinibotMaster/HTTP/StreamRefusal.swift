import Hummingbird
import MinibotCore
import NIOCore

/// The answer to a long poll or event stream past the caps of ``LongPollBudget``: 503 with
/// `Retry-After` and a JSON reason, and then the master closes the connection.
///
/// Hummingbird keeps a connection open after any response unless the *request* asked to
/// close it, and a refused client that keeps its socket (a script in a loop, a stuck proxy)
/// would hold one of the master's descriptors for nothing: 2,000 refused polls under a
/// 1,024-descriptor limit left no descriptor for anyone else. The close is queued on the
/// connection's event loop after the response's last byte, so the client reads the whole
/// answer and then the end of the stream.
enum StreamRefusal {
    static func response(_ reason: String, closing channel: any Channel) -> Response {
        let body = JSONValue.object(["error": .string(reason)]).data
        let headers: HTTPFields = [
            .contentType: "application/json",
            .retryAfter: String(LongPollBudget.retryAfter),
            .connection: "close",
        ]
        return Response(status: .serviceUnavailable, headers: headers,
                        body: ResponseBody(contentLength: body.count) { writer in
                            try await writer.write(ByteBuffer(bytes: body))
                            try await writer.finish(nil)
                            channel.close(promise: nil)
                        })
    }
}
