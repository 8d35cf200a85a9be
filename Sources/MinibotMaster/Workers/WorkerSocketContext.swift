import Hummingbird
import HummingbirdWebSocket

/// The request context of the worker WebSocket router: Hummingbird's basic WebSocket context
/// plus the peer's address, which a stock buildbot-worker's link reports as its hostname
/// (its own info says no hostname).
struct WorkerSocketContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    /// The peer's IP address, when the channel has one.
    let peerAddress: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        peerAddress = source.channel.remoteAddress?.ipAddress
    }
}
