import Foundation
import NIOCore
import NIOPosix

/// A listening unix socket that serves `LineConnection`s.
///
/// Created with `bind` (which replaces a stale socket file left by a crashed process and sets the
/// file's mode: whoever may write the socket file may talk to the server), then `serve` runs one
/// handler task per connection until the calling task is cancelled. Owned by one service's
/// `run()`; the socket file is removed when serving ends.
public struct LineServer<Inbound: Decodable & Sendable, Outbound: Encodable & Sendable>: Sendable {
    public let path: String
    private let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>

    /// Binds `path`. `mode` (e.g. `0o660`) is applied with chmod right after binding; keep the
    /// socket's directory non-writable by others so nobody can swap the file in between.
    public static func bind(
        path: String,
        mode: UInt16? = 0o660,
        maxLineLength: Int = LineChannel.defaultMaxLineLength
    ) async throws -> LineServer {
        // Only replace a stale *socket*: refusing to delete a regular file guards against a
        // mistyped --socket pointing at something precious.
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFSOCK {
            throw LineChannelError(message: "\(path) exists and is not a socket")
        }
        let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { child in
                    child.eventLoop.makeCompletedFuture {
                        try LineChannel.wrap(child, maxLineLength: maxLineLength)
                    }
                }
        } catch {
            throw LineChannelError(message: "cannot listen on \(path): \(error)")
        }
        if let mode, chmod(path, mode_t(mode)) != 0 {
            try? await channel.channel.close()
            throw LineChannelError(message: "cannot chmod \(path) to \(String(mode, radix: 8)): errno \(errno)")
        }
        return LineServer(path: path, channel: channel)
    }

    /// Accepts connections and runs `handler` for each in its own child task; the connection is
    /// closed when the handler returns. Returns when the calling task is cancelled (or the
    /// listening socket fails), after all handlers ended.
    public func serve(_ handler: @escaping @Sendable (LineConnection<Inbound, Outbound>) async -> Void) async throws {
        defer { unlink(path) }
        try await withTaskCancellationHandler {
            try await channel.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask {
                            try? await connection.executeThenClose { inbound, outbound in
                                await handler(LineConnection(inbound: inbound, outbound: outbound))
                            }
                        }
                    }
                }
            }
        } onCancel: {
            // Closing the listener ends the accept loop; open connections end when their
            // handlers see cancellation or their peers go away.
            channel.channel.close(promise: nil)
        }
    }
}
