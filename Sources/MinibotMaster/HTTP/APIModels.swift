import Foundation
import MinibotCore

/// The shapes of the REST API's JSON (keys become snake_case), kept apart from the
/// stored records so the API can stay stable while storage changes.
enum API {
    struct BuilderDTO: Encodable {
        var name: String
        var description: String?
        var tags: [String]
        var workers: [String]
        var steps: [String]
        var pendingRequests: Int
    }

    struct StepDTO: Encodable {
        var number: Int
        var name: String
        var results: Int?
        var resultsName: String?
        var startedAt: Date?
        var completeAt: Date?
        var stateString: String
        var complete: Bool
        var logs: [String]
    }

    struct BuildDTO: Encodable {
        var buildid: Int64
        var number: Int
        var builder: String
        var buildrequestid: Int64
        var workername: String
        var startedAt: Date
        var completeAt: Date?
        var complete: Bool
        var results: Int?
        var resultsName: String?
        var stateString: String
        var properties: [String: String]
        var sourcestamp: SourceStampDTO?
        var steps: [StepDTO]?
    }

    struct SourceStampDTO: Encodable {
        var repository: String
        var branch: String?
        var revision: String?
        var project: String
    }

    struct WaitingReasonDTO: Encodable {
        var worker: String?
        var reason: String
        var until: Date?
    }

    struct BuildRequestDTO: Encodable {
        var buildrequestid: Int64
        var buildsetid: Int64
        var builder: String
        var priority: Int
        var submittedAt: Date
        var reason: String
        var claimed: Bool
        var claimedBy: String?
        var claimedAt: Date?
        var complete: Bool
        var results: Int?
        var resultsName: String?
        var completeAt: Date?
        var sourcestamp: SourceStampDTO
        var properties: [String: String]
        var waitingReasons: [WaitingReasonDTO]?
        var waitingSince: Date?
    }

    struct ChangeDTO: Encodable {
        var changeid: Int64
        var revision: String
        var branch: String
        var repository: String
        var project: String
        var category: String?
        var author: String
        var committer: String?
        var comments: String
        var files: [String]
        var when: Date
        var source: String
    }

    struct ForceResult: Encodable {
        var buildsetid: Int64
        var buildrequestids: [Int64]
    }

    static func stamp(_ s: SourceStamp) -> SourceStampDTO {
        SourceStampDTO(repository: s.repository, branch: s.branch, revision: s.revision, project: s.project)
    }

    static func build(_ b: Build, stamp: SourceStamp?, steps: [BuildStep]?) -> BuildDTO {
        BuildDTO(buildid: b.id, number: b.number, builder: b.builderName, buildrequestid: b.buildRequestID,
                 workername: b.workerName, startedAt: b.startedAt, completeAt: b.completedAt,
                 complete: b.isComplete, results: b.results?.rawValue, resultsName: b.results?.name,
                 stateString: b.stateString, properties: b.properties, sourcestamp: stamp.map(Self.stamp),
                 steps: steps.map { $0.map(step) })
    }

    static func step(_ s: BuildStep) -> StepDTO {
        StepDTO(number: s.number, name: s.name, results: s.results?.rawValue, resultsName: s.results?.name,
                startedAt: s.startedAt, completeAt: s.completedAt, stateString: s.stateString,
                complete: s.completedAt != nil, logs: ["stdio"])
    }

    static func change(_ c: Change) -> ChangeDTO {
        ChangeDTO(changeid: c.id, revision: c.revision, branch: c.branch, repository: c.repository, project: c.project,
                  category: c.category, author: c.author, committer: c.committer, comments: c.comments,
                  files: c.files, when: c.when, source: c.source)
    }
}
