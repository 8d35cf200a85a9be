import Foundation

/// One run of a builder on a worker for a build request.
public struct Build: Sendable, Equatable, Codable {
    public var id: Int64
    /// Per-builder sequence number, starting at 1.
    public var number: Int
    public var builderName: String
    public var buildRequestID: Int64
    public var workerName: String
    public var startedAt: Date
    public var completedAt: Date?
    /// nil while running.
    public var results: BuildResult?
    public var stateString: String
    public var properties: [String: String]

    public init(id: Int64 = 0, number: Int = 0, builderName: String, buildRequestID: Int64, workerName: String,
                startedAt: Date, completedAt: Date? = nil, results: BuildResult? = nil,
                stateString: String = "starting", properties: [String: String] = [:]) {
        self.id = id
        self.number = number
        self.builderName = builderName
        self.buildRequestID = buildRequestID
        self.workerName = workerName
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.results = results
        self.stateString = stateString
        self.properties = properties
    }

    public var isComplete: Bool { completedAt != nil }
}

/// One step of a build, as recorded.
public struct BuildStep: Sendable, Equatable, Codable {
    public var buildID: Int64
    /// 0-based position in the builder's step list.
    public var number: Int
    public var name: String
    public var startedAt: Date?
    public var completedAt: Date?
    public var results: BuildResult?
    public var stateString: String

    public init(buildID: Int64, number: Int, name: String, startedAt: Date? = nil, completedAt: Date? = nil,
                results: BuildResult? = nil, stateString: String = "pending") {
        self.buildID = buildID
        self.number = number
        self.name = name
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.results = results
        self.stateString = stateString
    }
}

/// Which output stream a log line came from.
public enum LogStream: String, Sendable, Codable {
    case stdout = "o"
    case stderr = "e"
    /// Lines Minibot itself writes into a step's log (headers, timeouts, exit codes).
    case header = "h"
}
