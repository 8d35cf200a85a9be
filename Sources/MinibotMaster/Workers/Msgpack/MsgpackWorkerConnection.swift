import Foundation
import MinibotCompression
import MinibotCore
import MinibotProtocol
import Synchronization

/// A connection to a stock buildbot-worker over msgpack (contract: `MsgpackWire.swift`).
///
/// The decisions are ``MsgpackSession``'s (requests, answers, bring-up, keepalives) and
/// ``MsgpackStepPlan``'s (which commands a step takes, how they end it); this class carries
/// them out. Frames to the worker go through an outbox drained by the endpoint's writer
/// task, so any task may send without interleaving; ``received(_:)`` is called by the
/// endpoint's reader, one frame at a time, and awaits each output sink, so a slow store slows
/// the worker through TCP instead of growing memory.
final class MsgpackWorkerConnection: WorkerConnection {
    /// What a frame from the worker meant to the endpoint.
    enum Event: Equatable {
        case none
        /// Bring-up finished: attach the connection to the registry.
        case ready
        case close(reason: String)
    }

    let name: String
    let connectedAt: Date
    private let hostname: String
    private let outbox: AsyncStream<[UInt8]>.Continuation
    private let leftovers: MsgpackLeftovers
    /// Makes command ids unique across master restarts (the worker outlives the master).
    private let nonce: String
    private let state: Mutex<State>

    private struct StepKey: Hashable {
        var build: Int64
        var step: Int
    }

    private struct Running {
        /// The step it runs for; nil for the master's own load probe, whose output goes to no log.
        var key: StepKey?
        var sink: @Sendable (OutputChunk) async -> Void
        var continuation: CheckedContinuation<MsgpackStepPlan.CommandResult, any Error>
        var captureStdout: Bool
        var result = MsgpackStepPlan.CommandResult()
        /// One per stream, as a native worker has: the stock worker sends text, which is
        /// compressed here so it is stored (and served) like a native worker's output.
        var compressors: [LogStream: AdaptiveCompressor] = [:]
    }

    private struct State {
        var session: MsgpackSession
        var info: WorkerInfo
        var basedir: String?
        var commands: [String: Running] = [:]
        /// The command each running step is waiting on.
        var current: [StepKey: String] = [:]
        /// Steps the master asked to stop, with why.
        var interrupted: [StepKey: String] = [:]
        var counter = 0
        var isClosed = false
    }

    init(name: String, hostname: String, session: MsgpackSession, outbox: AsyncStream<[UInt8]>.Continuation,
         leftovers: MsgpackLeftovers, nonce: String, now: Date) {
        self.name = name
        self.hostname = hostname
        self.connectedAt = now
        self.outbox = outbox
        self.leftovers = leftovers
        self.nonce = nonce
        self.state = Mutex(State(session: session,
                                 info: WorkerInfo(hostname: hostname, os: "unknown", cpus: 1, version: "buildbot-worker",
                                                  facts: ["protocol": "msgpack"])))
    }

    var info: WorkerInfo { state.withLock { $0.info } }
    var isClosed: Bool { state.withLock { $0.isClosed } }

    // MARK: driven by the endpoint

    /// Sends the first request of the bring-up.
    func start() {
        let actions = state.withLock { $0.session.start() }
        for case .send(let message) in actions { send(message) }
    }

    /// One frame from the worker, decoded.
    func received(_ message: MessagePackValue) async -> Event {
        let actions = state.withLock { $0.session.received(message, now: .now) }
        var event = Event.none
        for action in actions {
            switch action {
            case .send(let reply):
                send(reply)
            case .ready(let worker):
                state.withLock { s in
                    s.basedir = worker.basedir
                    var facts = ["protocol": "msgpack", "basedir": worker.basedir]
                    facts["admin"] = worker.admin
                    facts["host"] = worker.host
                    s.info = WorkerInfo(hostname: hostname, os: worker.os, cpus: worker.cpus,
                                        version: "buildbot-worker \(worker.version)", facts: facts)
                }
                event = .ready
            case .update(let id, let updates):
                await deliver(updates, command: id)
            case .complete(let id, let error):
                finishCommand(id, error: error)
            case .commandRefused(let id, let reason):
                finishCommand(id, error: reason)
            case .close(let reason):
                event = .close(reason: reason)
            }
        }
        return event
    }

    /// A heartbeat interval passed; returns why to close the link, if it must be.
    func tick() -> String? {
        let actions = state.withLock { $0.session.tick(now: .now) }
        for action in actions {
            if case .send(let message) = action { send(message) }
            if case .close(let reason) = action { return reason }
        }
        return nil
    }

    // MARK: WorkerConnection

    /// The registry took the connection: interrupt what an earlier link left running.
    func attached() {
        for id in leftovers.take(worker: name).sorted() {
            let actions = state.withLock { $0.session.interruptCommand(id: id, why: "left over from a lost connection") }
            for case .send(let message) in actions { send(message) }
        }
    }

    func runStep(_ step: MasterMessage.StartStep,
                 output: @escaping @Sendable (OutputChunk) async -> Void) async throws -> WorkerMessage.StepFinished {
        let key = StepKey(build: step.buildID, step: step.step)
        defer { state.withLock { s in s.interrupted[key] = nil; s.current[key] = nil } }
        let basedir = state.withLock { $0.basedir }
        guard let basedir, let workdir = MsgpackWire.workdir(basedir: basedir, relative: step.workdir) else {
            return WorkerMessage.StepFinished(buildID: step.buildID, step: step.step, result: .exception,
                                              reason: "workdir '\(step.workdir)' must be a path inside the worker's base directory")
        }
        var plan = MsgpackStepPlan(step: step)
        var next = plan.next(after: nil)
        let started = ContinuousClock.now
        while true {
            if let why = state.withLock({ $0.interrupted[key] }) {
                return WorkerMessage.StepFinished(buildID: step.buildID, step: step.step, result: .cancelled,
                                                  reason: "interrupted: \(why)")
            }
            let command: MsgpackStepPlan.Command
            switch next {
            case .finished(let finished): return finished
            case .run(let c): command = c
            }
            var maxTime: Int?
            if let timeout = step.timeout {
                let elapsed = ContinuousClock.now - started
                let left = timeout - (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                guard left > 0 else {
                    return WorkerMessage.StepFinished(buildID: step.buildID, step: step.step, result: .failure,
                                                      reason: "timed out after \(DurationText.describe(timeout))")
                }
                maxTime = Int(min(left.rounded(.up), Double(Int32.max)))
            }
            let args = MsgpackWire.shellArgs(command: command.command, workdir: workdir, env: step.env, maxTime: maxTime)
            let result = try await runCommand(args, key: key, captureStdout: command.captureStdout, output: output)
            next = plan.next(after: result)
        }
    }

    func interrupt(buildID: Int64, step: Int, reason: String) {
        let key = StepKey(build: buildID, step: step)
        let actions = state.withLock { s -> [MsgpackSession.Action] in
            s.interrupted[key] = reason
            guard let id = s.current[key], s.commands[id] != nil else { return [] }
            return s.session.interruptCommand(id: id, why: reason)
        }
        for case .send(let message) in actions { send(message) }
    }

    /// A stock worker has no plugin channel.
    func sendPlugin(_ plugin: String, payload: JSONValue) -> Bool { false }

    /// Graceful: the registry calls this once the worker is idle. At once: the stock worker
    /// would leave its commands running, so they are interrupted first.
    func shutdown(graceful: Bool) {
        let actions = state.withLock { s -> [MsgpackSession.Action] in
            var actions: [MsgpackSession.Action] = []
            if !graceful {
                for id in s.commands.keys.sorted() {
                    actions += s.session.interruptCommand(id: id, why: "the worker is being killed")
                }
            }
            return actions + s.session.shutdown()
        }
        for case .send(let message) in actions { send(message) }
    }

    func close() {
        let (waiters, running) = state.withLock { s -> ([CheckedContinuation<MsgpackStepPlan.CommandResult, any Error>], Set<String>) in
            guard !s.isClosed else { return ([], []) }
            s.isClosed = true
            let waiters = s.commands.values.map(\.continuation)
            s.commands.removeAll()
            s.current.removeAll()
            return (waiters, s.session.closed())
        }
        leftovers.remember(worker: name, commands: running)
        outbox.finish()
        for waiter in waiters { waiter.resume(throwing: WorkerLostError(worker: name)) }
    }

    /// Runs the hidden load probe (``MsgpackLoadProbe``) and returns how it ended. Throws
    /// ``WorkerLostError`` when the link ends first.
    func probeLoad() async throws -> MsgpackStepPlan.CommandResult {
        guard let basedir = state.withLock({ $0.basedir }) else { throw WorkerLostError(worker: name) }
        let args = MsgpackWire.shellArgs(command: MsgpackLoadProbe.command, workdir: basedir, env: [:],
                                         maxTime: MsgpackLoadProbe.maxTime)
        return try await runCommand(args, key: nil, captureStdout: true, output: { _ in })
    }

    // MARK: private

    private func send(_ message: MessagePackValue) {
        outbox.yield(MessagePack.encode(message))
    }

    private func runCommand(_ args: MessagePackValue, key: StepKey?, captureStdout: Bool,
                            output: @escaping @Sendable (OutputChunk) async -> Void) async throws -> MsgpackStepPlan.CommandResult {
        try await withCheckedThrowingContinuation { continuation in
            let actions = state.withLock { s -> [MsgpackSession.Action]? in
                guard !s.isClosed else { return nil }
                s.counter += 1
                let id = key.map { "\(nonce)-\($0.build)-\($0.step)-\(s.counter)" } ?? "\(nonce)-load-\(s.counter)"
                s.commands[id] = Running(key: key, sink: output, continuation: continuation, captureStdout: captureStdout)
                if let key { s.current[key] = id }
                return s.session.startCommand(id: id, name: "shell", args: args)
            }
            guard let actions else {
                continuation.resume(throwing: WorkerLostError(worker: name))
                return
            }
            for action in actions {
                switch action {
                case .send(let message): send(message)
                case .commandRefused(let id, let reason): finishCommand(id, error: reason)
                default: break
                }
            }
        }
    }

    /// Hands a command's output to its step's sink, in order. Text of 512 bytes or more is
    /// compressed first (``AdaptiveCompressor``, outside the lock: the reader delivers one
    /// frame at a time, so the compressors taken out are not used by anyone meanwhile).
    private func deliver(_ updates: [MsgpackUpdate], command id: String) async {
        var texts: [(stream: LogStream, text: String)] = []
        let taken = state.withLock { s -> (StepKey, @Sendable (OutputChunk) async -> Void, [LogStream: AdaptiveCompressor])? in
            guard var running = s.commands[id] else { return nil }
            for update in updates {
                switch update {
                case .output(let stream, let text):
                    if running.key != nil { texts.append((stream, text)) }
                    if stream == .stdout, running.captureStdout,
                       running.result.stdout.utf8.count < MsgpackStepPlan.CommandResult.maxCaptured {
                        running.result.stdout += text.prefix(MsgpackStepPlan.CommandResult.maxCaptured)
                    }
                case .rc(let rc): running.result.rc = rc
                case .failureReason(let reason): running.result.failureReason = reason
                case .elapsed, .ignored: break
                }
            }
            guard let key = running.key, !texts.isEmpty else {
                s.commands[id] = running
                return nil
            }
            let compressors = running.compressors
            running.compressors = [:]
            s.commands[id] = running
            return (key, running.sink, compressors)
        }
        guard let (key, sink, before) = taken else { return }
        var compressors = before
        let chunks = texts.map { item in
            OutputChunk(buildID: key.build, step: key.step, stream: item.stream,
                        payload: compressors[item.stream, default: AdaptiveCompressor(codec: .zstd)].payload(for: item.text))
        }
        state.withLock { s in
            if s.commands[id] != nil { s.commands[id]?.compressors = compressors }
        }
        for chunk in chunks { await sink(chunk) }
    }

    private func finishCommand(_ id: String, error: String?) {
        let running = state.withLock { s -> Running? in
            guard let running = s.commands.removeValue(forKey: id) else { return nil }
            if let key = running.key, s.current[key] == id { s.current[key] = nil }
            return running
        }
        guard var running else { return }
        if let error { running.result.error = error }
        running.continuation.resume(returning: running.result)
    }
}
