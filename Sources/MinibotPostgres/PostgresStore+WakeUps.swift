import Foundation
import MinibotStore
import PostgresNIO

extension PostgresStore {
    public func notify(_ wakeUp: StoreWakeUp) async throws {
        try await rows("notify the other masters", """
            SELECT pg_notify(\(Self.requestChannel), \(wakeUp.payload)) IS NULL AS notified
            """)
    }

    /// The channel of ``StoreWakeUp`` notifications.
    static let requestChannel = "minibot_requests"
    /// The longest the listener waits before connecting again after a failure.
    static let listenerMaxDelay: Duration = .seconds(5)

    /// `LISTEN` on a connection of its own (a pooled connection cannot keep a `LISTEN`): each
    /// notification becomes a ``StoreWakeUp``; after each (re)connect, once the `LISTEN` is
    /// in place, a ``StoreWakeUp/rescan`` covers whatever was committed while nobody
    /// listened. A lost connection (a server restart, `pg_terminate_backend`) is retried,
    /// 0.1 s after the first failure, doubling up to ``listenerMaxDelay``.
    public func listenForWakeUps(_ wake: @escaping @Sendable (StoreWakeUp) async -> Void) async {
        var delay: Duration = .milliseconds(100)
        var connectionID = 1
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: listenerConfiguration,
                                                                      id: connectionID, logger: logger)
                connectionID &+= 1
                do {
                    try await connection.listen(on: Self.requestChannel) { notifications in
                        await wake(.rescan)
                        delay = .milliseconds(100)
                        for try await notification in notifications {
                            if let wakeUp = StoreWakeUp(payload: notification.payload) { await wake(wakeUp) }
                        }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { break }
                logger.warning("the connection that listens for other masters' requests was lost; connecting again",
                               metadata: ["database": "\(address)", "error": "\(Self.describe(error))"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, Self.listenerMaxDelay)
        }
    }
}
