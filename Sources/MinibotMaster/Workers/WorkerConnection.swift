import Foundation
import MinibotCore
import MinibotProtocol

/// One live connection to a worker, whatever protocol it speaks: the only view of a worker
/// that the registry, the build runner and plugins have.
///
/// Implementations: ``JSONWorkerConnection`` (Minibot's own worker, `/workers/ws`); a stock
/// `buildbot-worker` over msgpack and the master tests' fake worker are others.
///
/// Order of calls: an endpoint authenticates the worker (``WorkerRegistry/refusal(name:password:wireProtocol:)``),
/// then the registry attaches the connection and calls ``attached()`` exactly once, before any
/// build can see it; after that ``runStep(_:output:)``, ``interrupt(buildID:step:reason:)``,
/// ``sendPlugin(_:payload:)`` and ``shutdown(graceful:)`` come in any order from any task, so
/// implementations are thread-safe and never block. ``close()`` ends the connection: every
/// running step fails with ``WorkerLostError`` and later sends return false.
protocol WorkerConnection: AnyObject, Sendable {
    /// The worker's name in `master.cfg`.
    var name: String { get }
    /// What the worker told about its host.
    var info: WorkerInfo { get }
    var connectedAt: Date { get }
    var isClosed: Bool { get }

    /// The registry accepted the connection: bring it up (the JSON link sends `welcome`).
    func attached()

    /// Runs one step and returns its outcome; output is handed to `output` in order, as it
    /// arrives, before the outcome is returned. Throws ``WorkerLostError`` when the
    /// connection ends first.
    func runStep(_ step: MasterMessage.StartStep,
                 output: @escaping @Sendable (OutputChunk) async -> Void) async throws -> WorkerMessage.StepFinished

    /// Asks the worker to stop a running step (its outcome still comes from `runStep`).
    func interrupt(buildID: Int64, step: Int, reason: String)

    /// Holds a running build's steps (``StepHold``) for its unavailable worker; false when the
    /// worker cannot (a stock buildbot-worker, an older Minibot worker) or the link is closed.
    func hold(buildID: Int64, mode: StepHold) -> Bool

    /// Sends a plugin-channel message; false when the connection is closed.
    @discardableResult
    func sendPlugin(_ plugin: String, payload: JSONValue) -> Bool

    /// Asks the worker to stop: after its running steps (graceful) or at once.
    func shutdown(graceful: Bool)

    /// Marks the connection closed and fails every running step.
    func close()
}

extension WorkerConnection {
    /// A worker that cannot hold steps: its builds finish while it is unavailable.
    func hold(buildID: Int64, mode: StepHold) -> Bool { false }
}

/// A worker's connection dropped while a step was running on it.
struct WorkerLostError: Error, CustomStringConvertible {
    var worker: String
    var description: String { "worker \(worker) lost" }
}
