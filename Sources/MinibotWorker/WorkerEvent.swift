import MinibotProtocol

/// Something the worker did, in order, for observers: tests, and a future local control
/// socket. The operator-facing account of the same is the log.
public enum WorkerEvent: Sendable, Equatable {
    /// A connection attempt to this WebSocket URL starts.
    case connecting(url: String)
    /// `hello` went out on a new connection.
    case helloSent
    /// The master accepted the worker.
    case welcomed(heartbeat: Double)
    /// The master refused the worker (wrong password, unknown name, duplicate…).
    case refused(reason: String)
    /// The connection ended, or could not be made.
    case disconnected(reason: String)
    /// The next attempt waits `after`; with the default policy never less than 1 s.
    case retrying(after: Duration)
    case stepStarted(buildID: Int64, step: Int)
    case stepFinished(WorkerMessage.StepFinished)
    /// `run()` is about to return.
    case stopped
}
