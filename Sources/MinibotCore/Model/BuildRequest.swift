import Foundation

/// A request for one builder to build one source stamp; part of a buildset.
///
/// A request is *pending* until a master claims it; a claim is an atomic statement in the
/// store. A build lost to a dead worker or master un-claims it (RETRY), so it runs again.
public struct BuildRequest: Sendable, Equatable, Codable {
    public var id: Int64
    public var buildsetID: Int64
    public var builderName: String
    /// Higher runs first; within ``priorityRange``.
    public var priority: Int
    public var submittedAt: Date
    public var reason: String
    public var sourceStamp: SourceStamp
    public var properties: [String: String]
    /// The master holding the claim, or nil while pending.
    public var claimedBy: String?
    public var claimedAt: Date?
    public var isComplete: Bool
    public var results: BuildResult?
    public var completedAt: Date?

    /// The priorities a request may have (those of a 32-bit signed integer): a client asking
    /// for more is refused, and no sum or comparison of two of them can overflow.
    public static let priorityRange = Int(Int32.min)...Int(Int32.max)

    public init(id: Int64 = 0, buildsetID: Int64 = 0, builderName: String, priority: Int = 0,
                submittedAt: Date, reason: String, sourceStamp: SourceStamp = SourceStamp(),
                properties: [String: String] = [:], claimedBy: String? = nil, claimedAt: Date? = nil,
                isComplete: Bool = false, results: BuildResult? = nil, completedAt: Date? = nil) {
        self.id = id
        self.buildsetID = buildsetID
        self.builderName = builderName
        self.priority = priority
        self.submittedAt = submittedAt
        self.reason = reason
        self.sourceStamp = sourceStamp
        self.properties = properties
        self.claimedBy = claimedBy
        self.claimedAt = claimedAt
        self.isComplete = isComplete
        self.results = results
        self.completedAt = completedAt
    }

    public var isPending: Bool { claimedBy == nil && !isComplete }
}
