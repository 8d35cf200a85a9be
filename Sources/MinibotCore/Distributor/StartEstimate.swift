import Foundation

/// When a pending request will probably start, and why: ``StartEstimator``'s answer.
public struct StartEstimate: Sendable, Equatable {
    /// The expected start; nil when it cannot be estimated (``explanation`` says why).
    public var start: Date?
    /// `after 2 builds ahead; w1 frees in ~3 min`, `w1 is free now`,
    /// `unknown: no successful build of B timed yet`.
    public var explanation: String

    public init(start: Date?, explanation: String) {
        self.start = start
        self.explanation = explanation
    }
}
