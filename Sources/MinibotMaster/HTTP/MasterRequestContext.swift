import Hummingbird
import NIOCore

/// The request context of the master's HTTP routes: Hummingbird's basic one plus the
/// client's address, which the change hook's loopback rule and the long-poll limits need,
/// and its connection, which a refused long poll closes (``StreamRefusal``).
struct MasterRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The client's IP address as text (`127.0.0.1`, `::1`), nil when unknown.
    let remoteAddress: String?
    /// The client's connection.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
        self.channel = source.channel
    }
}
