import Foundation
@testable import MinibotMaster
import MinibotCore
import MinibotProtocol
import Synchronization

/// A worker connection the test plays: steps the master starts wait until the test finishes
/// them, interrupts end them CANCELLED (as a real worker would), and ``close()`` loses the
/// worker with its steps running.
final class FakeWorkerConnection: WorkerConnection {
    struct StepKey: Hashable, Sendable {
        var build: Int64
        var step: Int
    }

    private struct State {
        var isClosed = false
        var welcomes = 0
        var started: [MasterMessage.StartStep] = []
        var running: [StepKey: CheckedContinuation<WorkerMessage.StepFinished, any Error>] = [:]
        var startWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    let name: String
    let info: WorkerInfo
    let connectedAt: Date
    private let state = Mutex(State())

    init(name: String, connectedAt: Date) {
        self.name = name
        self.info = WorkerInfo(hostname: "fake-\(name)", os: "Linux", cpus: 2, version: "fake")
        self.connectedAt = connectedAt
    }

    var isClosed: Bool { state.withLock { $0.isClosed } }
    /// How many times the registry brought this connection up.
    var welcomes: Int { state.withLock { $0.welcomes } }
    /// Every step the master started here, in order.
    var started: [MasterMessage.StartStep] { state.withLock { $0.started } }

    func attached() { state.withLock { $0.welcomes += 1 } }

    func runStep(_ step: MasterMessage.StartStep,
                 output: @escaping @Sendable (OutputChunk) async -> Void) async throws -> WorkerMessage.StepFinished {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { s -> [CheckedContinuation<Void, Never>]? in
                guard !s.isClosed else { return nil }
                s.running[StepKey(build: step.buildID, step: step.step)] = continuation
                s.started.append(step)
                let count = s.started.count
                let ready = s.startWaiters.filter { $0.count <= count }.map(\.continuation)
                s.startWaiters.removeAll { $0.count <= count }
                return ready
            }
            guard let ready else {
                continuation.resume(throwing: WorkerLostError(worker: name))
                return
            }
            for waiter in ready { waiter.resume() }
        }
    }

    /// Returns once the master has started at least `count` steps here.
    func waitForSteps(_ count: Int) async -> [MasterMessage.StartStep] {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.started.count >= count { return true }
                s.startWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
        return started
    }

    /// Ends a running step with this result, as the worker would report it.
    func finish(_ step: MasterMessage.StartStep, _ result: BuildResult, exitCode: Int32? = 0) {
        let waiter = state.withLock { $0.running.removeValue(forKey: StepKey(build: step.buildID, step: step.step)) }
        waiter?.resume(returning: WorkerMessage.StepFinished(buildID: step.buildID, step: step.step, result: result,
                                                             exitCode: exitCode))
    }

    func interrupt(buildID: Int64, step: Int, reason: String) {
        let waiter = state.withLock { $0.running.removeValue(forKey: StepKey(build: buildID, step: step)) }
        waiter?.resume(returning: WorkerMessage.StepFinished(buildID: buildID, step: step, result: .cancelled))
    }

    func sendPlugin(_ plugin: String, payload: JSONValue) -> Bool { !isClosed }

    func shutdown(graceful: Bool) {}

    func close() {
        let waiters = state.withLock { s -> [CheckedContinuation<WorkerMessage.StepFinished, any Error>] in
            s.isClosed = true
            defer { s.running.removeAll() }
            return Array(s.running.values)
        }
        for waiter in waiters { waiter.resume(throwing: WorkerLostError(worker: name)) }
    }
}
