// libFuzzer targets for every parser that reads outside input. Built only by `scripts/fuzz`
// (Package.swift adds this target when MINIBOT_FUZZ is set), with `-sanitize=fuzzer,address`;
// main.swift hands control to libFuzzer's driver.
//
// One binary, several targets: MINIBOT_FUZZ_TARGET names the one to run (see `targets`).
import Foundation
import MinibotAgent
import MinibotAvailability
import MinibotConfig
import MinibotCore
import MinibotHostFacts
import MinibotProtocol
import NIOCore

/// The targets, by name; each takes the raw input.
let targets: [String: @Sendable (UnsafeRawBufferPointer) -> Void] = [
    // master.cfg, agent.yaml and worker.yaml: one YAML reader, three checkers.
    "config": { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? MasterConfigLoader.parse(text: text, plugins: [:])
        _ = try? AgentConfiguration.parse(yaml: text, file: "agent.yaml", base: AgentConfiguration(socket: .init(path: "/a")))
        if let document = try? YAMLDocument(text: text, path: "worker.yaml") { _ = try? WorkerFile.parse(document) }
    },
    // Durations, windows, repository addresses and property interpolation.
    "values": { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        if let seconds = DurationText.seconds(text) { _ = DurationText.describe(seconds) }
        if let window = try? TimeWindow(when: text, timeZone: "UTC") {
            let now = Date(timeIntervalSince1970: 1_750_000_000)
            _ = window.contains(now)
            _ = window.currentEnd(after: now)
            _ = window.nextStart(after: now)
        }
        _ = RepositoryAddress(text)
        _ = Interpolation(properties: ["branch": text, "revision": "abc"]).render(text)
    },
    // What a worker sends the master (and the master a worker): JSON text frames and
    // binary output frames.
    "worker-frame": { bytes in
        let data = Data(bytes)
        _ = try? WorkerWire.decoder().decode(WorkerMessage.self, from: data)
        _ = try? WorkerWire.decoder().decode(MasterMessage.self, from: data)
        _ = OutputFrame.decode(ByteBuffer(bytes: bytes))
    },
    // A change-hook body, as JSON and as a form, into a change.
    "change-hook": { bytes in
        let body = Data(bytes)
        for type in ["application/json", "application/x-www-form-urlencoded"] {
            if case .success(let fields) = HookFields.parse(body: body, contentType: type) {
                _ = HookFields.change(from: fields, now: Date(timeIntervalSince1970: 1_750_000_000))
            }
        }
    },
    // The JSON bodies of the API's write routes: a forced build, the actions on a build,
    // request or worker, and an availability flag.
    "api-body": { bytes in
        let data = Data(bytes)
        _ = ForceRequestBody.parse(data)
        _ = BuildActionBody.parse(data, accepting: BuildActionBody.Field.allCases)
        _ = BuildActionBody.parse(data, accepting: [.reason])
        if let json = try? JSONDecoder().decode(JSONValue.self, from: data) {
            _ = try? FlagRequest.parse(json, now: Date(timeIntervalSince1970: 1_750_000_000),
                                       zone: TimeZone(identifier: "Europe/Berlin") ?? .gmt, defaultBy: "fuzz")
        }
    },
    // What a stock buildbot-worker sends: one msgpack value per binary frame. A value that
    // decodes must encode and decode back to the same bytes (bytes, not values: NaN != NaN).
    "msgpack": { bytes in
        guard let value = try? MessagePack.decode(Array(bytes)) else { return }
        let encoded = MessagePack.encode(value)
        let again = try? MessagePack.decode(encoded)
        precondition(again.map(MessagePack.encode) == encoded, "msgpack round trip changed \(value)")
    },
    // The agent's line protocol, both directions, and the relay payloads on a worker link.
    "agent-line": { bytes in
        let data = Data(bytes)
        _ = try? JSONDecoder().decode(AgentRequest.self, from: data)
        _ = try? JSONDecoder().decode(AgentEvent.self, from: data)
        if let json = try? JSONDecoder().decode(JSONValue.self, from: data) { _ = AgentRelayMessage(json: json) }
    },
]

nonisolated(unsafe) var selected: (@Sendable (UnsafeRawBufferPointer) -> Void)?

/// One input, to the selected target; libFuzzer calls it for every input it tries.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if selected == nil {
        let name = ProcessInfo.processInfo.environment["MINIBOT_FUZZ_TARGET"] ?? ""
        guard let target = targets[name] else {
            FileHandle.standardError.write(Data("set MINIBOT_FUZZ_TARGET to one of: \(targets.keys.sorted().joined(separator: ", "))\n".utf8))
            exit(2)
        }
        selected = target
    }
    guard let data else { return 0 }
    selected?(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
