import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of the worker endpoint: Hummingbird's WebSocket context plus the
/// client's address, which ``HelloThrottle`` keys failed hellos by, and its channel, on which a
/// refused stock-worker upgrade is answered (``RefusedUpgrade``).
struct WorkerRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    /// The client's IP address as text, nil when unknown.
    let remoteAddress: String?
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
        self.channel = source.channel
    }
}
