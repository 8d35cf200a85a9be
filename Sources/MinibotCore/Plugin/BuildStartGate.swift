import Foundation

/// Admits (or not yet) the start of a build on a chosen worker, asynchronously — e.g. by
/// asking the host agent for a slot.
///
/// Called by the distributor after a worker was chosen and the build's locks are free,
/// before anything is claimed. Answer quickly: `.later` with a reason, and call
/// ``PluginContext/wake(reason:)`` when the answer may have changed. Every `.now(permit)`
/// is matched by exactly one ``released(_:result:)``: with nil when the build did not
/// start after all, with its result when it ended.
public protocol BuildStartGate: Sendable {
    func admit(_ request: PendingRequest, on worker: WorkerCandidate) async -> Admission
    func released(_ permit: Permit, result: BuildResult?) async
}

/// A gate's answer.
public enum Admission: Sendable, Equatable {
    /// Start now, holding this permit until the build ends.
    case now(Permit)
    /// Not yet: the reason is shown on the pending request; `until` is when to ask again
    /// (nil: when the plugin wakes the distributor).
    case later(reason: String, until: Date?)
    /// Not on this worker for this request (another worker may still take it).
    case no(reason: String)
}

/// Proof that a gate admitted a build; returned to the gate when the build ends.
public struct Permit: Sendable, Equatable {
    public var id: String
    public var requestID: Int64
    public var worker: String
    public var detail: JSONValue

    public init(id: String, requestID: Int64, worker: String, detail: JSONValue = .null) {
        self.id = id
        self.requestID = requestID
        self.worker = worker
        self.detail = detail
    }
}
