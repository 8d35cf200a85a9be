import Foundation

/// A drain on one worker: it takes no new builds; the builds it runs may finish until
/// ``deadline``, and those still running then end RETRY (their requests run elsewhere).
/// Without a deadline running builds simply finish.
///
/// Set by `minibot worker drain NAME --deadline 30m` or `POST /api/v2/workers/NAME/drain`,
/// lifted by `undrain`. Decided by ``DrainDeadline``.
public struct WorkerDrain: Sendable, Equatable, Codable {
    public var deadline: Date?
    public var requestedAt: Date
    /// Who asked (the CLI's `$USER` or `--as`, or the API caller's `by`).
    public var requestedBy: String

    public init(deadline: Date?, requestedAt: Date, requestedBy: String) {
        self.deadline = deadline
        self.requestedAt = requestedAt
        self.requestedBy = requestedBy
    }
}
