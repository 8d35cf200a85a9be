import Foundation
import MinibotCompression
import MinibotCore
@testable import MinibotMaster
import MinibotProtocol
import Synchronization
import Testing

/// The stock-worker connection in-process: frames out through its outbox, frames in through
/// `received`, as the endpoint drives it. Nothing sleeps: each step waits for the frame the
/// connection sent.
struct MsgpackWorkerConnectionTests {
    final class Link {
        let connection: MsgpackWorkerConnection
        var frames: AsyncStream<[UInt8]>.Iterator

        init() {
            let (outbox, continuation) = AsyncStream<[UInt8]>.makeStream()
            connection = MsgpackWorkerConnection(name: "s1", hostname: "127.0.0.1", session: MsgpackSession(now: .now),
                                                 outbox: continuation, leftovers: MsgpackLeftovers(), nonce: "n",
                                                 now: Date())
            frames = outbox.makeAsyncIterator()
        }

        /// The next frame the connection sent, decoded.
        func next() async throws -> MessagePackValue {
            let bytes = try #require(await frames.next())
            return try MessagePack.decode(bytes)
        }

        /// Brought up to ready, as buildbot-worker answers.
        static func ready() async throws -> Link {
            let link = Link()
            link.connection.start()
            _ = try await link.next()
            #expect(await link.connection.received(MsgpackSessionTests.response(0, MsgpackSessionTests.workerInfo)) == .none)
            _ = try await link.next()
            #expect(await link.connection.received(MsgpackSessionTests.response(1)) == .ready)
            return link
        }

        func update(_ sequence: Int64, _ id: String, _ pairs: [MessagePackValue]) async {
            _ = await connection.received(.map(["op": .string("update"), "seq_number": .int(sequence),
                                                "command_id": .string(id), "args": .array(pairs)]))
        }

        func complete(_ sequence: Int64, _ id: String) async {
            _ = await connection.received(.map(["op": .string("complete"), "seq_number": .int(sequence),
                                                "command_id": .string(id), "args": .nil]))
        }
    }

    static func pair(_ key: String, _ value: MessagePackValue) -> MessagePackValue { .array([.string(key), value]) }

    /// Issue 13: a stock worker sends text; the master stores it compressed, as a native
    /// worker's output is (the same ``AdaptiveCompressor`` per stream).
    @Test func textOutputReachesTheLogCompressedLikeNativeOutput() async throws {
        let link = try await Link.ready()
        let chunks = Mutex<[OutputChunk]>([])
        let step = MasterMessage.StartStep(buildID: 7, step: 0, builder: "b", name: "s", workdir: "b/build",
                                           action: .shell(.script("make")))
        let run = Task { [connection = link.connection] in
            try await connection.runStep(step) { chunk in chunks.withLock { $0.append(chunk) } }
        }
        let start = try await link.next()
        #expect(start["op"]?.stringValue == "start_command")
        let id = try #require(start["command_id"]?.stringValue)
        let text = String(repeating: "all work and no play makes a long log\n", count: 200)
        await link.update(0, id, [Self.pair("stdout", .string(text)), Self.pair("stderr", .string("short\n"))])
        await link.update(1, id, [Self.pair("rc", .int(0))])
        await link.complete(2, id)
        #expect(try await run.value.result == .success)

        let got = chunks.withLock { $0 }
        #expect(got.count == 2)
        let stdout = try #require(got.first)
        #expect(stdout.stream == .stdout && stdout.buildID == 7 && stdout.step == 0)
        guard case .compressed(let bytes, let size, _) = stdout.payload else {
            Issue.record("the long output was stored as text")
            return
        }
        #expect(size == text.utf8.count && bytes.count < size / 2)
        #expect(try LogCompression.text(of: stdout.payload) == text)
        // Under AdaptiveCompressor.minimumBytes: text, as a native worker sends it.
        #expect(got.last?.payload == .text("short\n") && got.last?.stream == .stderr)
    }

    /// The load probe is a command of its own that no step sees.
    @Test func theLoadProbeRunsCatAndItsOutputGoesToNoLog() async throws {
        let link = try await Link.ready()
        let probe = Task { [connection = link.connection] in try await connection.probeLoad() }
        let start = try await link.next()
        #expect(start["op"]?.stringValue == "start_command" && start["command_name"]?.stringValue == "shell")
        #expect(start["args"]?["command"] == .array([.string("cat"), .string("/proc/loadavg"), .string("/proc/pressure/cpu")]))
        #expect(start["args"]?["workdir"]?.stringValue == "/home/bb/worker")
        let id = try #require(start["command_id"]?.stringValue)
        #expect(id.contains("load"))
        await link.update(0, id, [Self.pair("stdout", .string("1.50 1.00 0.50 2/300 4000\n")), Self.pair("rc", .int(0))])
        await link.complete(1, id)
        let result = try await probe.value
        #expect(result.rc == 0 && result.stdout == "1.50 1.00 0.50 2/300 4000\n")
        #expect(try MsgpackLoadProbe.status(from: result, at: Date()).get().load1 == 1.5)
    }

    @Test func aLostLinkEndsAProbe() async throws {
        let link = try await Link.ready()
        let probe = Task { [connection = link.connection] in try await connection.probeLoad() }
        _ = try await link.next()
        link.connection.close()
        await #expect(throws: WorkerLostError.self) { try await probe.value }
    }
}
