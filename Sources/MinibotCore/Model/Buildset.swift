import Foundation

/// A set of build requests submitted together by a scheduler (one per builder).
public struct Buildset: Sendable, Equatable, Codable {
    public var id: Int64
    public var reason: String
    public var schedulerName: String
    public var sourceStamp: SourceStamp
    public var properties: [String: String]
    public var submittedAt: Date
    /// The changes that caused it, if any.
    public var changeIDs: [Int64]

    public init(id: Int64 = 0, reason: String, schedulerName: String, sourceStamp: SourceStamp,
                properties: [String: String] = [:], submittedAt: Date, changeIDs: [Int64] = []) {
        self.id = id
        self.reason = reason
        self.schedulerName = schedulerName
        self.sourceStamp = sourceStamp
        self.properties = properties
        self.submittedAt = submittedAt
        self.changeIDs = changeIDs
    }
}
