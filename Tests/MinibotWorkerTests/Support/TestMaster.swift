import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import MinibotCompression
import MinibotProtocol
import NIOCore
import Synchronization

/// A master for tests: a real WebSocket server on 127.0.0.1 (port 0) at `/workers/ws` that
/// records what workers send and lets the test answer.
final class TestMaster: Sendable {
    enum Event: Sendable {
        case connected(Int)
        case received(Int, WorkerMessage)
        case disconnected(Int)
    }

    let events: AsyncStream<Event>
    private let feed: AsyncStream<Event>.Continuation
    private let writers = Mutex<[Int: WebSocketOutboundWriter]>([:])
    private let nextID = Mutex(0)
    private let port = Mutex<Int?>(nil)
    private let serverTask = Mutex<Task<Void, any Error>?>(nil)

    init() {
        (events, feed) = AsyncStream.makeStream()
    }

    var url: String { "http://127.0.0.1:\(port.withLock { $0 } ?? 0)" }

    /// Starts the server and returns once it listens.
    func start() async throws {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws(RouterPath(WorkerWire.path)) { [self] inbound, outbound, _ in
            let id = nextID.withLock { $0 += 1; return $0 }
            writers.withLock { $0[id] = outbound }
            feed.yield(.connected(id))
            let decoder = WorkerWire.decoder()
            do {
                for try await message in inbound.messages(maxSize: WorkerWire.maxFrameBytes) {
                    if case .binary(let buffer) = message, let chunk = OutputFrame.decode(buffer),
                       let text = try? LogCompression.text(of: chunk.payload) {
                        let output = WorkerMessage.StepOutput(buildID: chunk.buildID, step: chunk.step, stream: chunk.stream, text: text)
                        feed.yield(.received(id, .output(output)))
                        continue
                    }
                    guard case .text(let text) = message else { continue }
                    feed.yield(.received(id, try decoder.decode(WorkerMessage.self, from: Data(text.utf8))))
                }
            } catch {}
            writers.withLock { $0[id] = nil }
            feed.yield(.disconnected(id))
        }
        var logger = Logger(label: "test-master")
        logger.logLevel = .critical  // server teardown logs CancellationErrors at error level
        let running = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: Router(),
            server: .http1WebSocketUpgrade(webSocketRouter: router,
                                           configuration: .init(ws: .init(maxFrameSize: WorkerWire.maxFrameBytes, autoPing: .disabled))),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                running.continuation.yield(channel.localAddress?.port ?? 0)
                running.continuation.finish()
            },
            logger: logger
        )
        serverTask.withLock { $0 = Task { try await app.runService(gracefulShutdownSignals: []) } }
        for await bound in running.stream {
            port.withLock { $0 = bound }
        }
    }

    func send(_ message: MasterMessage, to connection: Int) async throws {
        guard let writer = writers.withLock({ $0[connection] }) else { throw TestFailure("connection \(connection) is gone") }
        let data = try WorkerWire.encoder().encode(message)
        try await writer.write(.text(String(decoding: data, as: UTF8.self)))
    }

    /// Closes one worker's connection from the master's side.
    func close(_ connection: Int) async throws {
        guard let writer = writers.withLock({ $0[connection] }) else { return }
        try await writer.close(.goingAway, reason: "test closes the link")
    }

    func stop() {
        serverTask.withLock { $0?.cancel() }
        feed.finish()
    }
}

/// Reads a `TestMaster`'s events in order, with a timeout on each wait.
final class MasterProbe: @unchecked Sendable {
    // @unchecked: the iterator is used by one test task at a time, sequentially.
    private var iterator: AsyncStream<TestMaster.Event>.AsyncIterator

    init(_ master: TestMaster) { iterator = master.events.makeAsyncIterator() }

    /// The next event that `match` accepts, skipping others (status reports, pings).
    func next<T: Sendable>(_ what: String, seconds: Double = 30,
                           _ match: @escaping @Sendable (TestMaster.Event) -> T?) async throws -> T {
        let box = UnsafeSendableBox(self)
        return try await withTimeout(seconds, what) {
            while let event = await box.value.iterator.next() {
                if let value = match(event) { return value }
            }
            throw TestFailure("the master stopped while waiting for \(what)")
        }
    }

    func hello(_ seconds: Double = 30) async throws -> (Int, WorkerMessage.Hello) {
        try await next("hello", seconds: seconds) { event in
            if case .received(let id, .hello(let hello)) = event { return (id, hello) }
            return nil
        }
    }

    /// The next stdout or stderr output containing `text` (header lines, which repeat the
    /// command, do not count).
    func output(from connection: Int, containing text: String) async throws -> WorkerMessage.StepOutput {
        try await next("output containing '\(text)'") { event in
            if case .received(connection, .output(let out)) = event, out.stream != .header, out.text.contains(text) {
                return out
            }
            return nil
        }
    }

    func stepFinished(from connection: Int) async throws -> WorkerMessage.StepFinished {
        try await next("stepFinished") { event in
            if case .received(connection, .stepFinished(let finished)) = event { return finished }
            return nil
        }
    }
}

/// Hands a non-Sendable reference to a child task that the caller awaits right away.
struct UnsafeSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
