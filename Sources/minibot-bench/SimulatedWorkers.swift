import Foundation
import HummingbirdWSClient
import Logging
import MinibotCore
import MinibotProtocol
import Synchronization

/// Many lightweight workers in the bench process: each is a real WebSocket client speaking
/// WorkerWire to the master (hello → welcome, then `startStep`), without running anything.
///
/// While ``isAnswering`` is false a worker holds every step it gets (the build stays
/// running, the worker stays busy); once true it answers each `startStep` with a
/// successful `stepFinished` at once, and held steps are answered too. Each `startStep`'s
/// arrival is timed on the bench's monotonic clock.
final class SimulatedWorkers: Sendable {
    typealias Instant = ContinuousClock.Instant

    private struct State {
        var welcomed: Set<String> = []
        var writers: [String: WebSocketOutboundWriter] = [:]
        var isAnswering = false
        var held: [String: [MasterMessage.StartStep]] = [:]
        var lastStart: [String: Instant] = [:]
        var lastFinished: [String: Instant] = [:]
        /// Time from a worker's last `stepFinished` to its next `startStep`.
        var gaps: [Duration] = []
        var starts = 0
        var waiters: [UUID: (condition: @Sendable (State) -> Bool, continuation: CheckedContinuation<Void, Never>)] = [:]
    }

    let names: [String]
    private let password: String
    private let url: String
    private let state = Mutex(State())
    private let clock = ContinuousClock()

    /// `masterURL` is the master's `http://HOST:PORT`.
    init(names: [String], password: String, masterURL: String) {
        self.names = names
        self.password = password
        self.url = masterURL.replacingOccurrences(of: "http://", with: "ws://") + WorkerWire.path
    }

    /// Connects every worker in the background; ``waitUntilWelcomed()`` tells when they are in.
    func connect() -> Task<Void, Never> {
        Task {
            await withDiscardingTaskGroup { group in
                for name in names {
                    group.addTask { await self.serve(name) }
                }
            }
        }
    }

    func waitUntilWelcomed() async {
        let count = names.count
        await wait { $0.welcomed.count >= count }
    }

    /// Waits until `worker` has received a `startStep` after `since`; returns its arrival.
    func waitForStart(_ worker: String, after since: Instant) async -> Instant {
        await wait { ($0.lastStart[worker] ?? since) > since }
        return state.withLock { $0.lastStart[worker]! }
    }

    /// Waits until `count` steps have been started in total.
    func waitForStarts(_ count: Int) async {
        await wait { $0.starts >= count }
    }

    var starts: Int { state.withLock { $0.starts } }
    var gaps: [Duration] { state.withLock { $0.gaps } }

    /// From now on answer every step at once, including the held ones.
    func startAnswering() async {
        let (held, writers) = state.withLock { s in
            s.isAnswering = true
            defer { s.held.removeAll() }
            return (s.held, s.writers)
        }
        for (name, steps) in held {
            guard let writer = writers[name] else { continue }
            for step in steps { await finish(step, worker: name, writer: writer) }
        }
    }

    // MARK: one connection

    private func serve(_ name: String) async {
        var logger = Logger(label: "bench.worker")
        logger.logLevel = .critical
        let configuration = WebSocketClientConfiguration(maxFrameSize: WorkerWire.maxFrameBytes)
        _ = try? await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
            let hello = WorkerMessage.hello(.init(
                name: name, password: self.password,
                info: WorkerInfo(hostname: "bench-\(name)", os: "simulated", cpus: 1, version: "bench")))
            try await Self.send(hello, on: outbound)
            let decoder = WorkerWire.decoder()
            for try await frame in inbound.messages(maxSize: WorkerWire.maxFrameBytes) {
                guard case .text(let text) = frame,
                      let message = try? decoder.decode(MasterMessage.self, from: Data(text.utf8)) else { continue }
                switch message {
                case .welcome:
                    self.update { s in
                        s.welcomed.insert(name)
                        s.writers[name] = outbound
                    }
                case .startStep(let step):
                    let now = self.clock.now
                    let answer = self.update { s -> Bool in
                        s.starts += 1
                        s.lastStart[name] = now
                        if let finished = s.lastFinished[name] { s.gaps.append(now - finished) }
                        if !s.isAnswering { s.held[name, default: []].append(step) }
                        return s.isAnswering
                    }
                    if answer { await self.finish(step, worker: name, writer: outbound) }
                case .ping:
                    try await Self.send(.pong, on: outbound)
                case .shutdown:
                    return
                default:
                    break
                }
            }
        }
    }

    private func finish(_ step: MasterMessage.StartStep, worker: String, writer: WebSocketOutboundWriter) async {
        let now = clock.now
        state.withLock { $0.lastFinished[worker] = now }
        try? await Self.send(.stepFinished(.init(buildID: step.buildID, step: step.step, result: .success, exitCode: 0)),
                             on: writer)
    }

    private static func send(_ message: WorkerMessage, on outbound: WebSocketOutboundWriter) async throws {
        let data = try WorkerWire.encoder().encode(message)
        try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
    }

    // MARK: waiting on the state

    @discardableResult
    private func update<T: Sendable>(_ body: (inout State) -> T) -> T {
        let (result, ready) = state.withLock { s -> (T, [CheckedContinuation<Void, Never>]) in
            let result = body(&s)
            let hits = s.waiters.filter { $0.value.condition(s) }
            for id in hits.keys { s.waiters[id] = nil }
            return (result, hits.values.map(\.continuation))
        }
        for c in ready { c.resume() }
        return result
    }

    private func wait(_ condition: @escaping @Sendable (State) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if condition(s) { return true }
                s.waiters[UUID()] = (condition, continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
