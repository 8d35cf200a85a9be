import Foundation

/// Why a pending request has not started: the answer to "why is my build not starting?".
///
/// A request's reasons come as a list: first a builder-wide summary (`worker` nil), then one
/// line per worker of the builder that could not take it. The master keeps the latest list
/// of every pending request and serves it with the request.
public struct WaitingReason: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// The worker this is about; nil for the whole request.
    public var worker: String?
    /// What a user reads, e.g. `worker w1 busy (1/1 builds)`.
    public var reason: String
    /// When this may change by itself (a window ends, a flag expires), where known.
    public var until: Date?

    public init(worker: String? = nil, reason: String, until: Date? = nil) {
        self.worker = worker
        self.reason = reason
        self.until = until
    }

    public var description: String { reason }
}
