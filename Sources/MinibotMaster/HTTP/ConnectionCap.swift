import HummingbirdCore
import Logging

/// The most HTTP connections (API clients, pages, event streams, worker links) the master
/// holds open at once, below its open-file limit so that the database, its journal and the
/// pollers' repositories always find a descriptor. Past the cap the master stops accepting:
/// new connections wait in the listen backlog and are taken as soon as one closes (each
/// refused long poll closes its own, see ``StreamRefusal``), instead of the accept loop
/// failing with EMFILE.
struct ConnectionCap: AvailableConnectionsDelegate {
    /// Descriptors kept out of the cap: an eighth of the limit, at least 64.
    static func limit(openFiles: Int) -> Int {
        let reserve = max(64, openFiles / 8)
        return max(16, openFiles - reserve)
    }

    let limit: Int
    private let logger: Logger
    private var open = 0
    /// Whether the cap was reached since the last warning (one line per episode, not per
    /// connection).
    private var warned = false

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    mutating func connectionOpened() {
        open += 1
        if open >= limit, !warned {
            warned = true
            logger.warning("the master holds \(open) connections, its most under its open-file limit; new ones wait until one closes (raise LimitNOFILE to allow more)")
        }
    }

    mutating func connectionClosed() {
        open -= 1
        if open < limit / 2 { warned = false }
    }

    func isAcceptingNewConnections() -> Bool { open < limit }
}
