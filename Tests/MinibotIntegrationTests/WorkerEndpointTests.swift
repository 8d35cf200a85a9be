import Foundation
import HummingbirdWSClient
import Logging
import MinibotClient
import MinibotCore
import MinibotProtocol
import MinibotTesting
import Synchronization
import Testing

/// Issue 2: the worker endpoint refuses what it must (bad credentials, a duplicate name,
/// garbage, oversized frames) with a logged reason, while the master and its real workers
/// carry on.
@Suite("Worker endpoint refusals", .serialized)
struct WorkerEndpointTests {
    /// What a raw connection saw: the master's messages and its close frame.
    struct Seen: Sendable {
        var messages: [String] = []
        var closeReason: String?
        var closed = false
    }

    /// Connects to the endpoint, sends `frames` in order (after each, keeps reading), and
    /// returns what came back until the master closed the connection.
    static func talk(port: Int, frames: [String]) async throws -> Seen {
        let seen = Mutex(Seen())
        var logger = Logger(label: "raw-ws")
        logger.logLevel = .critical
        let config = WebSocketClientConfiguration(maxFrameSize: 8 << 20)
        let close = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)\(WorkerWire.path)",
                                                      configuration: config, logger: logger) { inbound, outbound, _ in
            for frame in frames {
                // The master may have closed already (e.g. after a refusal); that is what we test.
                try? await outbound.write(.text(frame))
            }
            for try await message in inbound.messages(maxSize: 8 << 20) {
                if case .text(let text) = message { seen.withLock { $0.messages.append(text) } }
            }
        }
        return seen.withLock { s in
            s.closed = true
            s.closeReason = close?.reason
            return s
        }
    }

    static func hello(_ name: String, _ password: String) throws -> String {
        let info = WorkerInfo(hostname: "raw", os: "test", cpus: 1, version: "0")
        let data = try WorkerWire.encoder().encode(WorkerMessage.hello(.init(name: name, password: password, info: info)))
        return String(decoding: data, as: UTF8.self)
    }

    @Test("bad password, unknown name, duplicate name, garbage and oversized frames are refused; w1 keeps building")
    func refusals() async throws {
        try await Scene.run("endpoint") { scene in
            let gate = scene.path("gate")
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: wait, command: "echo started; \(waitForFileCommand(gate)); echo finished"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1", "spare"], builders: builders, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            let buildID = MasterFixture.buildID(try await events.buildStarted(request: request))

            // Before any failed hello (they slow their address down, see HelloThrottle):
            // welcomed first, then a frame over the limit: the link is closed.
            let huge = String(repeating: "x", count: WorkerWire.maxFrameBytes + 1024)
            let oversized = try await Self.talk(port: master.port, frames: [try Self.hello("spare", "pw"), huge])
            #expect(oversized.messages.contains { $0.contains("welcome") }, "\(oversized)")
            #expect(oversized.closed)
            // And the oversized frame as the very first one.
            let oversizedFirst = try await Self.talk(port: master.port, frames: [huge])
            #expect(!oversizedFirst.messages.contains { $0.contains("welcome") })

            let wrongPassword = try await Self.talk(port: master.port, frames: [try Self.hello("spare", "nope")])
            #expect(wrongPassword.messages.contains { $0.contains("refused") }, "\(wrongPassword)")

            let unknown = try await Self.talk(port: master.port, frames: [try Self.hello("stranger", "pw")])
            #expect(unknown.messages.contains { $0.contains("refused") }, "\(unknown)")
            // One text for both: a refusal does not tell which worker names exist.
            #expect(unknown.messages == wrongPassword.messages)
            #expect(!unknown.messages.joined().contains("stranger"))

            // A name of nearly 1 MB (just under the frame limit, with a forged log line in it)
            // is refused, and neither the master's log nor the refusal carries it whole.
            let hugeName = "\nERROR forged line " + String(repeating: "n", count: WorkerWire.maxFrameBytes - 4096)
            let logBefore = master.process.log.utf8.count
            let hugeHello = try await Self.talk(port: master.port, frames: [try Self.hello(hugeName, "pw")])
            #expect(hugeHello.messages.contains { $0.contains("refused") }, "\(hugeHello.messages.map { $0.prefix(200) })")
            #expect(hugeHello.messages.joined().utf8.count < 1000)

            let duplicate = try await Self.talk(port: master.port, frames: [try Self.hello("w1", "pw")])
            #expect(duplicate.messages.contains { $0.contains("refused") && $0.contains("already connected") }, "\(duplicate)")

            let garbage = try await Self.talk(port: master.port, frames: ["this is not json {"])
            #expect(garbage.closed)
            #expect(!garbage.messages.contains { $0.contains("welcome") })

            let log = master.process.log
            #expect(log.utf8.count - logBefore < 64 * 1024, "the huge name was logged whole")
            #expect(!log.contains("\nERROR forged line"))
            #expect(log.contains("unknown worker \"\\nERROR forged line nnnn"))
            for reason in ["wrong password for worker \"spare\"", "unknown worker \"stranger\"", "worker \"w1\" is already connected",
                           "the first message must be a hello", "closed before a hello", "byte limit"] {
                #expect(log.contains(reason), "the master's log should give the reason '\(reason)'")
            }

            // The master still serves, the real worker is still attached and its build finishes.
            let w1 = try await master.client.get("api/v2/workers/w1")
            #expect(w1["workers"]?.arrayValue.first?["connected"]?.boolValue == true)
            #expect(try await master.build(buildID)["complete"]?.boolValue == false)
            touch(gate)
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            #expect(try await master.log(build: buildID, step: 0).contains("finished"))
            let again = try await master.force("b")
            #expect(try await events.buildFinished(request: again)["results_name"]?.stringValue == "SUCCESS")
        }
    }
}
