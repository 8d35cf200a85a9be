import MinibotProtocol

/// The master's side of one link to a stock buildbot-worker (`--protocol=msgpack_experimental_v7`)
/// as a pure state machine: it takes the messages the worker sends, the master's own requests
/// and the time, and returns what to send and what happened. ``MsgpackWorkerConnection``
/// carries the actions out; contract and flow: `MsgpackWire.swift`.
///
/// Both sides number their own requests (`seq_number`) and must answer every request of the
/// other: the session keeps a table of what it asked, answers each worker request at once
/// (`update` and `complete` with `result: nil`; anything else with `is_exception`), and
/// ignores answers to nothing it asked. A link that says nothing for three heartbeat
/// intervals — the worker speaks only when asked, so each interval sends a `keepalive` —
/// is closed, as for a native worker.
struct MsgpackSession {
    enum Phase: Equatable {
        /// `get_worker_info` sent, not answered.
        case awaitingInfo
        /// `set_worker_settings` sent, not answered.
        case awaitingSettings
        /// Usable: builds may start commands.
        case ready
        case closed
    }

    /// What a request of ours was, so its answer can be understood.
    enum Request: Equatable {
        case getWorkerInfo
        case setWorkerSettings
        case keepalive
        case startCommand(commandID: String)
        case interruptCommand(commandID: String)
        case shutdown
    }

    enum Action: Equatable {
        /// Send this message (one binary WebSocket frame).
        case send(MessagePackValue)
        /// Bring-up is done: the worker is usable.
        case ready(MsgpackWorkerInfo)
        /// Output or status of a running command, in the order the worker sent it.
        case update(commandID: String, [MsgpackUpdate])
        /// A command ended; `error` is what the worker reported if it failed to run it.
        case complete(commandID: String, error: String?)
        /// The worker answered `start_command` with an exception: the command never ran.
        case commandRefused(commandID: String, reason: String)
        /// Close the link; the worker's commands are lost with it.
        case close(reason: String)
    }

    struct Configuration: Equatable {
        /// Sent in `set_worker_settings`: output is held at most this long (seconds), so
        /// logs are live; the worker's own default is 5 s.
        var bufferTimeout: Double = 0.1
        /// Bytes of output per `update` before the worker sends it.
        var bufferSize: Int = 64 * 1024
        /// Lines longer than this are split by the worker (and buildbot-worker 4.3 drops a
        /// character at each split), so it is set far above any sane line.
        var maxLineLength: Int = 512 * 1024
        /// A regular expression the worker replaces with a newline; one that never matches,
        /// so output arrives as the command wrote it.
        var newlineRegex: String = "(?!)"
        /// How often to send `keepalive`; three intervals of silence close the link.
        var heartbeat: Duration = .seconds(10)
    }

    let configuration: Configuration
    private(set) var phase: Phase = .awaitingInfo
    private var nextSequence: Int64 = 0
    private var pending: [Int64: Request] = [:]
    /// Commands started and not complete, by id.
    private(set) var running: Set<String> = []
    private var info: MsgpackWorkerInfo?
    private var lastHeard: ContinuousClock.Instant

    init(configuration: Configuration = Configuration(), now: ContinuousClock.Instant) {
        self.configuration = configuration
        self.lastHeard = now
    }

    /// Starts the bring-up: asks for the worker's info.
    mutating func start() -> [Action] {
        [request(.getWorkerInfo, ["op": .string("get_worker_info")])]
    }

    /// Asks the worker to run a command. Ids must never repeat on a worker (the caller makes
    /// them unique); refused unless the link is ready.
    mutating func startCommand(id: String, name: String, args: MessagePackValue) -> [Action] {
        guard phase == .ready else { return [.commandRefused(commandID: id, reason: "the worker link is not ready")] }
        running.insert(id)
        return [request(.startCommand(commandID: id), [
            "op": .string("start_command"), "command_id": .string(id), "command_name": .string(name), "args": args,
        ])]
    }

    /// Asks the worker to kill a command (running here, or left over from an earlier link).
    mutating func interruptCommand(id: String, why: String) -> [Action] {
        guard phase != .closed else { return [] }
        return [request(.interruptCommand(commandID: id), [
            "op": .string("interrupt_command"), "command_id": .string(id), "why": .string(why),
        ])]
    }

    /// Asks the worker process to exit.
    mutating func shutdown() -> [Action] {
        guard phase != .closed else { return [] }
        return [request(.shutdown, ["op": .string("shutdown")])]
    }

    /// One heartbeat interval passed: close a silent link, else send a keepalive.
    mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        guard phase != .closed else { return [] }
        let silence = now - lastHeard
        if silence >= configuration.heartbeat * 3 {
            phase = .closed
            return [.close(reason: "nothing heard for \(silence.components.seconds) s (3 keepalives unanswered)")]
        }
        return [request(.keepalive, ["op": .string("keepalive")])]
    }

    /// The link is gone; returns the commands that were running (the stock worker keeps
    /// them running, so the next link of this worker interrupts them).
    mutating func closed() -> Set<String> {
        phase = .closed
        pending.removeAll()
        defer { running.removeAll() }
        return running
    }

    /// One message from the worker.
    mutating func received(_ message: MessagePackValue, now: ContinuousClock.Instant) -> [Action] {
        guard phase != .closed else { return [] }
        lastHeard = now
        guard let op = message["op"]?.stringValue,
              let sequence = message["seq_number"]?.integer(in: 0...Int(Int64.max)).map(Int64.init) else {
            return fail("a message without a string op and a seq_number")
        }
        switch op {
        case "response":
            return answered(sequence, message)
        case "update":
            guard let id = Self.commandID(message) else { return [answer(sequence, error: "no command_id")] }
            guard let updates = MsgpackUpdate.parse(message["args"]) else {
                return [answer(sequence, error: "args must be a list of [key, value] pairs")]
            }
            // Output for a command that already completed or never ran here is answered
            // and dropped.
            let known = running.contains(id)
            return [answer(sequence, error: nil)] + (known ? [.update(commandID: id, updates)] : [])
        case "complete":
            guard let id = Self.commandID(message) else { return [answer(sequence, error: "no command_id")] }
            let error: String?
            switch message["args"] {
            case nil, .nil?: error = nil
            case .string(let s)?: error = String(s.prefix(4096))
            default: error = "the worker reported a failure that is not a string"
            }
            guard running.remove(id) != nil else { return [answer(sequence, error: nil)] }
            return [answer(sequence, error: nil), .complete(commandID: id, error: error)]
        default:
            // File transfers (update_upload_file_write, update_read_file…) are never asked
            // for; whatever else arrives is answered as the spec requires.
            return [answer(sequence, error: "Minibot does not support \(String(op.prefix(64)))")]
        }
    }

    // MARK: private

    private mutating func answered(_ sequence: Int64, _ message: MessagePackValue) -> [Action] {
        guard let asked = pending.removeValue(forKey: sequence) else { return [] }
        let isException = message["is_exception"].map { $0 != .bool(false) && $0 != .nil } ?? false
        let result = message["result"] ?? .nil
        let failure = isException ? (result.stringValue.map { String($0.prefix(4096)) } ?? "an exception") : nil
        switch asked {
        case .getWorkerInfo:
            if let failure { return fail("the worker could not say who it is: \(failure)") }
            guard phase == .awaitingInfo else { return [] }
            switch MsgpackWorkerInfo.parse(result) {
            case .failure(let problem):
                return fail(problem.description)
            case .success(let parsed):
                info = parsed
                phase = .awaitingSettings
                return [request(.setWorkerSettings, [
                    "op": .string("set_worker_settings"),
                    "args": .map([
                        "buffer_size": .int(Int64(configuration.bufferSize)),
                        "buffer_timeout": .double(configuration.bufferTimeout),
                        "newline_re": .string(configuration.newlineRegex),
                        "max_line_length": .int(Int64(configuration.maxLineLength)),
                    ]),
                ])]
            }
        case .setWorkerSettings:
            if let failure { return fail("the worker refused its settings: \(failure)") }
            guard phase == .awaitingSettings, let info else { return [] }
            phase = .ready
            return [.ready(info)]
        case .startCommand(let id):
            guard let failure, running.remove(id) != nil else { return [] }
            return [.commandRefused(commandID: id, reason: failure)]
        case .keepalive, .interruptCommand, .shutdown:
            return []
        }
    }

    private mutating func fail(_ reason: String) -> [Action] {
        phase = .closed
        return [.close(reason: reason)]
    }

    private mutating func request(_ request: Request, _ fields: KeyValuePairs<String, MessagePackValue>) -> Action {
        let sequence = nextSequence
        nextSequence += 1
        pending[sequence] = request
        var entries = fields.map { MessagePackValue.MapEntry(.string($0.key), $0.value) }
        entries.append(.init(.string("seq_number"), .int(sequence)))
        return .send(.map(entries))
    }

    private func answer(_ sequence: Int64, error: String?) -> Action {
        if let error {
            return .send(.map(["op": .string("response"), "seq_number": .int(sequence), "result": .string(error),
                               "is_exception": .bool(true)]))
        }
        return .send(.map(["op": .string("response"), "seq_number": .int(sequence), "result": .nil]))
    }

    private static func commandID(_ message: MessagePackValue) -> String? {
        guard let id = message["command_id"]?.stringValue, !id.isEmpty, id.utf8.count <= 256 else { return nil }
        return id
    }
}
