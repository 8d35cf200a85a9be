import Hummingbird
import HummingbirdWebSocket

/// The request context of the worker endpoint: Hummingbird's WebSocket context plus the
/// client's address, which ``HelloThrottle`` keys failed hellos by.
struct WorkerRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    /// The client's IP address as text, nil when unknown.
    let remoteAddress: String?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}
