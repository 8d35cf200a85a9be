import Foundation
import Logging
import MinibotCore
import MinibotProtocol
import Synchronization

/// A connection to a Minibot worker over the JSON WebSocket (`/workers/ws`, contract:
/// `WorkerWire.swift`).
///
/// Messages to the worker go through an outbox drained by the connection's own task, so
/// that any task may send without interleaving frames. Replies to a step (`stepFinished`)
/// resolve the continuation registered by ``runStep(_:output:)``; when the connection
/// drops, every waiting step fails with ``WorkerLostError``.
final class JSONWorkerConnection: WorkerConnection {
    let name: String
    let info: WorkerInfo
    let connectedAt: Date
    private let outbox: AsyncStream<MasterMessage>.Continuation
    /// Internal for the samples fetch (JSONWorkerConnection+Samples.swift).
    let state = Mutex(State())

    struct StepKey: Hashable {
        var build: Int64
        var step: Int
    }

    struct State {
        var waiters: [StepKey: CheckedContinuation<WorkerMessage.StepFinished, any Error>] = [:]
        var sinks: [StepKey: @Sendable (OutputChunk) async -> Void] = [:]
        var isClosed = false
        /// The one samples fetch in flight (``fetchSamples(since:until:)``).
        var fetch: SamplesFetch?
        var nextFetchID: UInt64 = 0
    }

    /// The heartbeat interval announced in `welcome`, in seconds.
    private let heartbeat: Double
    /// Whether the worker's hello announced ``WorkerWire/holdCapability``: an older worker
    /// cannot decode `hold` and would drop the link.
    let canHold: Bool

    init(name: String, info: WorkerInfo, outbox: AsyncStream<MasterMessage>.Continuation, heartbeat: Double,
         now: Date, canHold: Bool = false) {
        self.name = name
        self.info = info
        self.connectedAt = now
        self.outbox = outbox
        self.heartbeat = heartbeat
        self.canHold = canHold
    }

    func attached() {
        // Every codec the stores read besides zlib, best first, so a new worker sends zstd.
        send(.welcome(heartbeat: heartbeat, outputCodecs: LogCodec.allCases.filter { $0 != .zlib }.map(\.rawValue)))
    }

    func interrupt(buildID: Int64, step: Int, reason: String) {
        send(.interrupt(buildID: buildID, step: step, reason: reason))
    }

    func hold(buildID: Int64, mode: StepHold) -> Bool {
        canHold && send(.hold(buildID: buildID, mode: mode))
    }

    func sendPlugin(_ plugin: String, payload: JSONValue) -> Bool {
        send(.plugin(name: plugin, payload: payload))
    }

    func shutdown(graceful: Bool) {
        send(.shutdown(graceful: graceful))
    }

    /// Queues a message; returns false when the link is already closed.
    @discardableResult
    func send(_ message: MasterMessage) -> Bool {
        if case .terminated = outbox.yield(message) { return false }
        return true
    }

    /// Runs one step on the worker and returns its outcome. Output is handed to `output`
    /// in order, as it arrives, before the step's outcome is returned.
    func runStep(_ step: MasterMessage.StartStep,
                 output: @escaping @Sendable (OutputChunk) async -> Void) async throws -> WorkerMessage.StepFinished {
        let key = StepKey(build: step.buildID, step: step.step)
        return try await withCheckedThrowingContinuation { continuation in
            let accepted = state.withLock { s -> Bool in
                guard !s.isClosed else { return false }
                s.waiters[key] = continuation
                s.sinks[key] = output
                return true
            }
            guard accepted, send(.startStep(step)) else {
                if accepted { _ = state.withLock { $0.waiters.removeValue(forKey: key) } }
                continuation.resume(throwing: WorkerLostError(worker: name))
                return
            }
        }
    }

    /// Delivers a chunk of step output to its sink (awaited, so a slow store slows the
    /// worker through TCP instead of growing memory).
    func deliver(_ output: OutputChunk) async {
        let sink = state.withLock { $0.sinks[StepKey(build: output.buildID, step: output.step)] }
        await sink?(output)
    }

    /// Resolves a running step.
    func finish(_ finished: WorkerMessage.StepFinished) {
        let key = StepKey(build: finished.buildID, step: finished.step)
        let waiter = state.withLock { s in
            s.sinks.removeValue(forKey: key)
            return s.waiters.removeValue(forKey: key)
        }
        waiter?.resume(returning: finished)
    }

    /// Marks the link closed and fails every waiting step.
    func close() {
        let (waiters, fetch) = state.withLock { s in
            s.isClosed = true
            let w = Array(s.waiters.values)
            s.waiters.removeAll()
            s.sinks.removeAll()
            defer { s.fetch = nil }
            return (w, s.fetch)
        }
        outbox.finish()
        for w in waiters { w.resume(throwing: WorkerLostError(worker: name)) }
        fetch?.continuation.resume(throwing: SamplesFetchError.lost)
    }

    var isClosed: Bool { state.withLock { $0.isClosed } }
}
