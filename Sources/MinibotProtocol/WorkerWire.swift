import Foundation
import MinibotCore

// The master ↔ worker contract.
//
// Transport: one WebSocket per worker at `ws://HOST:PORT/workers/ws` on the master's HTTP
// port; step output travels as binary frames (OutputFrame.swift); every other message is a
// text frame holding exactly one JSON-encoded message (`WorkerMessage` from the
// worker, `MasterMessage` from the master), encoded with `WorkerWire.encoder()` and decoded
// with `WorkerWire.decoder()` so both sides agree on dates. Frames over
// `WorkerWire.maxFrameBytes` or that do not decode close the connection with a logged
// reason; they never reach the build logic. Both ends must set their WebSocket
// `maxFrameSize` to `WorkerWire.maxFrameBytes`: swift-websocket defaults to 16 KiB, below
// one full `output` chunk.
//
// Flow:
//   worker                                   master
//   hello(name, password, info)          ──▶ checks name/password/duplicate
//                                        ◀── welcome(heartbeat, outputCodecs) | refused(reason), then close
//   status(load) every few seconds      ──▶ (feeds the availability plugin)
//                                        ◀── startStep(build, step, command, …)
//   output(build, step, stream, text)…  ──▶ appended to the step's log as it arrives
//   stepFinished(build, step, result…)  ──▶ the master decides the next step
//                                        ◀── interrupt(build, step, reason)  (stop-build)
//   stepFinished(…, CANCELLED)          ──▶
//                                        ◀── hold(build, suspend|renice|resume)  (availability)
//   plugin(name, payload)              ◀──▶ a plugin's own channel (agent relay, flags)
//                                        ◀── fetchSamples(id, since, until)  (only to a worker whose hello
//                                            announced `WorkerFacts.samples`: an older one cannot decode it)
//   samples(id, rows, isLast)…          ──▶ its flight recorder, ≤ 5,000 rows a page (SamplesPage.swift)
//                                        ◀── shutdown(graceful) | kill
//
// Compatibility: a message's JSON keys and case names are never renamed; new fields are
// optional (an older peer ignores them); a worker of another protocol version is refused at
// hello (`WorkerWire.version`). A message an older worker cannot decode is sent only to a
// worker that announced the matching `capabilities` entry in its hello (`hold`:
// ``WorkerWire/holdCapability``). What a step runs is `StepCommand` (StepCommand.swift), not
// the configuration's step type, so master.cfg can grow without a protocol change.
//
// Steps are driven by the master one at a time: the worker keeps no build plan, so a
// reconfig changes future builds only and a worker needs no knowledge of builders.
//
// Heartbeats: either side sends `ping`; the other answers `pong`. The master pings every
// `heartbeat` seconds and drops a link that has not answered for 3 intervals; the worker
// reconnects with capped exponential backoff (1 s doubling to 30 s) when the link drops.
//
// Cancellation: `interrupt` kills the step's whole process group; the worker answers with
// `stepFinished` (CANCELLED), also when the step was suspended (SIGKILL reaches a stopped
// group; SIGCONT follows, harmless). A link that drops mid-build ends the build as RETRY on the
// master and kills the worker's running steps (it cannot report them anywhere).

/// Version of this contract; a master refuses a worker with a different major version.
public enum WorkerWire {
    public static let version = 1
    /// Largest frame either side accepts (output is sent in chunks well below it).
    public static let maxFrameBytes = 1 << 20
    /// Largest chunk of step output sent in one `output` message.
    public static let outputChunkBytes = 64 * 1024
    /// Largest size a compressed output chunk may claim to inflate to: a frame that claims
    /// more is malformed (it would let a worker make the master allocate at will).
    public static let maxOutputBytes: UInt32 = 1 << 20
    /// The hello capability of a worker that carries out ``MasterMessage/hold(buildID:mode:)``.
    public static let holdCapability = "hold"
    /// The WebSocket path on the master.
    public static let path = "/workers/ws"

    /// The encoder for every frame. Dates (`WorkerStatus.time`) use Foundation's default
    /// strategy, a number of seconds since 2001-01-01: one fixed choice, so a side that
    /// forgets the helper still interoperates.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .deferredToDate
        return encoder
    }

    /// The decoder matching ``encoder()``.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .deferredToDate
        return decoder
    }
}

/// A message from a worker to its master.
public enum WorkerMessage: Sendable, Codable, Equatable {
    case hello(Hello)
    case status(WorkerStatus)
    case output(StepOutput)
    case stepFinished(StepFinished)
    case plugin(name: String, payload: JSONValue)
    /// A page of the worker's flight recorder, answering `fetchSamples`.
    case samples(SamplesPage)
    case ping
    case pong

    public struct Hello: Sendable, Codable, Equatable {
        public var name: String
        public var password: String
        public var info: WorkerInfo
        public var protocolVersion: Int
        /// What this worker understands beyond version 1's messages (``WorkerWire/holdCapability``);
        /// nil from a worker that predates them.
        public var capabilities: [String]?

        public init(name: String, password: String, info: WorkerInfo, protocolVersion: Int = WorkerWire.version,
                    capabilities: [String]? = nil) {
            self.name = name
            self.password = password
            self.info = info
            self.protocolVersion = protocolVersion
            self.capabilities = capabilities
        }
    }

    public struct StepOutput: Sendable, Codable, Equatable {
        public var buildID: Int64
        public var step: Int
        public var stream: LogStream
        public var text: String

        public init(buildID: Int64, step: Int, stream: LogStream, text: String) {
            self.buildID = buildID
            self.step = step
            self.stream = stream
            self.text = text
        }
    }

    public struct StepFinished: Sendable, Codable, Equatable {
        public var buildID: Int64
        public var step: Int
        /// SUCCESS or FAILURE for commands that ran; EXCEPTION when the worker could not
        /// run it; CANCELLED when interrupted.
        public var result: BuildResult
        public var exitCode: Int32?
        public var signal: Int32?
        /// Why it failed, when not simply a non-zero exit (timeout, spawn failure…).
        public var reason: String?
        /// Properties the step set (e.g. `got_revision` from a git checkout).
        public var properties: [String: String]

        public init(buildID: Int64, step: Int, result: BuildResult, exitCode: Int32? = nil, signal: Int32? = nil,
                    reason: String? = nil, properties: [String: String] = [:]) {
            self.buildID = buildID
            self.step = step
            self.result = result
            self.exitCode = exitCode
            self.signal = signal
            self.reason = reason
            self.properties = properties
        }
    }
}

/// A message from the master to a worker.
public enum MasterMessage: Sendable, Codable, Equatable {
    /// `outputCodecs`: the ``LogCodec`` names, besides zlib, this master accepts in output
    /// frames (nil from a master that predates them: zlib only). A worker ignores names it
    /// does not know and uses the first it does.
    case welcome(heartbeat: Double, outputCodecs: [String]? = nil)
    case refused(reason: String)
    case startStep(StartStep)
    case interrupt(buildID: Int64, step: Int, reason: String)
    /// What a build's steps do while their worker is unavailable: stopped (SIGSTOP), at the
    /// lowest CPU and IO priority, or back to running. Sent only to a worker whose hello
    /// announced ``WorkerWire/holdCapability``.
    case hold(buildID: Int64, mode: StepHold)
    case plugin(name: String, payload: JSONValue)
    /// Asks for the worker's recorded samples. Sent only to a worker that announced
    /// `WorkerFacts.samples` in its hello: an older one would not decode it and would drop the link.
    case fetchSamples(FetchSamples)
    /// `graceful`: finish running builds, then disconnect and exit; otherwise kill them now.
    case shutdown(graceful: Bool)
    case ping
    case pong

    /// Run one step. Properties are already interpolated into `command` and `env`.
    public struct StartStep: Sendable, Codable, Equatable {
        public var buildID: Int64
        public var step: Int
        public var builder: String
        public var name: String
        /// Relative to the worker's base directory: `BUILDER/WORKDIR` (WORKDIR defaults to `build`).
        public var workdir: String
        public var action: StepCommand
        public var env: [String: String]
        public var timeout: Double?
        /// For a git step: the revision to check out (nil: branch tip).
        public var revision: String?
        public var branch: String?

        public init(buildID: Int64, step: Int, builder: String, name: String, workdir: String, action: StepCommand,
                    env: [String: String] = [:], timeout: Double? = nil, revision: String? = nil, branch: String? = nil) {
            self.buildID = buildID
            self.step = step
            self.builder = builder
            self.name = name
            self.workdir = workdir
            self.action = action
            self.env = env
            self.timeout = timeout
            self.revision = revision
            self.branch = branch
        }
    }
}
