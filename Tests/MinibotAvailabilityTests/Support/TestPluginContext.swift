import Foundation
import MinibotCore
import Synchronization

/// A `PluginContext` for tests: a settable clock, recorded wakes and messages, an
/// in-memory state store that a second plugin instance can share, and events the test sends.
final class TestPluginContext: PluginContext {
    let masterName = "test-master"
    let wakes = Recorder<String>()
    let sent = Recorder<(worker: String, payload: JSONValue)>()
    /// Builds the plugin asked to run again, by request id.
    let retries = Recorder<(requestID: Int64, reason: String)>()
    /// What the plugin asked of running builds (`while_unavailable`), by request id.
    let holds = Recorder<(requestID: Int64, hold: BuildHold)>()
    /// What ``holdBuild(requestID:_:)`` answers: false plays a stock buildbot-worker.
    let canHold = Mutex(true)
    let store: Mutex<[String: JSONValue]>
    private let clock: Mutex<Date>
    private let snapshots: Mutex<[WorkerSnapshot]>
    private let stream: AsyncStream<PluginEvent>
    private let continuation: AsyncStream<PluginEvent>.Continuation

    init(now: Date, workers: [String], store: [String: JSONValue] = [:]) {
        clock = Mutex(now)
        snapshots = Mutex(workers.map {
            WorkerSnapshot(name: $0, isConnected: false, info: nil, runningBuilds: 0, maxBuilds: 1, isPaused: false)
        })
        self.store = Mutex(store)
        (stream, continuation) = AsyncStream<PluginEvent>.makeStream()
    }

    func now() -> Date { clock.withLock { $0 } }
    /// The plugin's timers: they sleep until the test fires them.
    let sleeper = TestSleeper()
    func sleep(until deadline: Date) async throws { try await sleeper.sleep(deadline.timeIntervalSince(now())) }
    func setNow(_ date: Date) { clock.withLock { $0 = date } }
    func advance(_ seconds: Double) { clock.withLock { $0 = $0.addingTimeInterval(seconds) } }

    func wake(reason: String) { wakes.append(reason) }
    func events() -> AsyncStream<PluginEvent> { stream }
    func send(_ event: PluginEvent) { continuation.yield(event) }

    func send(to worker: String, _ payload: JSONValue) async -> Bool {
        sent.append((worker, payload))
        return true
    }

    func workers() async -> [WorkerSnapshot] { snapshots.withLock { $0 } }

    func retryBuild(requestID: Int64, reason: String) async -> Bool {
        retries.append((requestID, reason))
        return true
    }
    func holdBuild(requestID: Int64, _ hold: BuildHold) async -> Bool {
        holds.append((requestID, hold))
        return canHold.withLock { $0 }
    }

    func setRunning(_ worker: String, _ builds: Int) {
        snapshots.withLock { list in
            for i in list.indices where list[i].name == worker { list[i].runningBuilds = builds }
        }
    }

    func setConnected(_ worker: String) {
        snapshots.withLock { list in
            for i in list.indices where list[i].name == worker { list[i].isConnected = true }
        }
    }

    func loadState(_ key: String) async -> JSONValue? { store.withLock { $0[key] } }
    func saveState(_ key: String, _ value: JSONValue?) async { store.withLock { $0[key] = value } }
    func log(_ level: PluginLogLevel, _ message: String, metadata: [String: String]) {}
}

/// A timer the test fires by hand: `sleep` suspends until ``fireAll()`` (or cancellation).
final class TestSleeper: Sendable {
    private let pending = Mutex<[Int: CheckedContinuation<Void, any Error>]>([:])
    private let counter = Mutex(0)
    /// Every requested sleep, in seconds.
    let requests = Recorder<Double>()

    func sleep(_ seconds: Double) async throws {
        let id = counter.withLock { $0 += 1; return $0 }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = pending.withLock { pending -> Bool in
                    if Task.isCancelled { return true }
                    pending[id] = continuation
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
                else { requests.append(seconds) }
            }
        } onCancel: {
            pending.withLock { $0.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Ends every pending sleep.
    func fireAll() {
        let all = pending.withLock { pending in
            defer { pending.removeAll() }
            return Array(pending.values)
        }
        for continuation in all { continuation.resume() }
    }
}
