import Foundation
import MinibotCore

/// The shapes of the REST API's JSON (keys become snake_case), kept apart from the
/// stored records so the API can stay stable while storage changes.
enum API {
    struct BuilderDTO: Encodable {
        /// ``StableID`` of the name.
        var builderid: Int64
        var name: String
        var description: String?
        var tags: [String]
        var workers: [String]
        var steps: [String]
        var pendingRequests: Int
    }

    struct StepDTO: Encodable {
        /// ``StepID``: the build and number in one; also the id of its log.
        var stepid: Int64?
        var buildid: Int64
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
        var builderid: Int64
        var buildrequestid: Int64
        var workername: String
        var workerid: Int64
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

    /// One reason a request waits. `until` is the predicted end of the wait (epoch seconds)
    /// or null; `condition` says in words what it waits for when a measurement decides;
    /// `until_zone` is the zone of the window that ends then. All keys are always present.
    struct WaitingReasonDTO: Encodable {
        var worker: String?
        var reason: String
        var kind: WaitingKind?
        var until: Date?
        var untilZone: String?
        var condition: String?

        init(_ r: WaitingReason) {
            worker = r.worker
            reason = r.reason
            kind = r.kind
            until = r.until
            untilZone = r.untilZone
            condition = r.condition
        }

        enum CodingKeys: String, CodingKey { case worker, reason, kind, until, untilZone, condition }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(worker, forKey: .worker)
            try c.encode(reason, forKey: .reason)
            try c.encode(kind, forKey: .kind)
            try c.encode(until, forKey: .until)
            try c.encode(untilZone, forKey: .untilZone)
            try c.encode(condition, forKey: .condition)
        }
    }

    /// Per kind of obstacle: how many workers it holds back and the earliest predicted end
    /// (``WaitingSummary``).
    struct WaitingSummaryDTO: Encodable {
        var kind: WaitingKind
        var workers: Int
        var until: Date?
        var untilZone: String?

        init(_ e: WaitingSummary.Entry) {
            kind = e.kind
            workers = e.workers
            until = e.until
            untilZone = e.untilZone
        }

        enum CodingKeys: String, CodingKey { case kind, workers, until, untilZone }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            try c.encode(workers, forKey: .workers)
            try c.encode(until, forKey: .until)
            try c.encode(untilZone, forKey: .untilZone)
        }
    }

    struct BuildRequestDTO: Encodable {
        var buildrequestid: Int64
        var buildsetid: Int64
        var builder: String
        var builderid: Int64
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
        var waitingSummary: [WaitingSummaryDTO]?
        var waitingSince: Date?
        /// While pending: when it will probably start (``StartEstimator``), null when unknown.
        var expectedStart: Nullable<Date>?
        /// While pending: why then, or why unknown (`after 2 builds ahead on w1; w1 frees in ~3 min`).
        var expectedStartReason: String?
    }

    /// `GET /api/v2/buildrequests`: the requests, and the master's zone, in which the CLI
    /// shows times (epoch seconds carry none).
    struct BuildRequestList: Encodable {
        var buildrequests: [BuildRequestDTO]
        var timeZone: String
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
        BuildDTO(buildid: b.id, number: b.number, builder: b.builderName, builderid: StableID.of(b.builderName),
                 buildrequestid: b.buildRequestID, workername: b.workerName, workerid: StableID.of(b.workerName), startedAt: b.startedAt, completeAt: b.completedAt,
                 complete: b.isComplete, results: b.results?.rawValue, resultsName: b.results?.name,
                 stateString: b.stateString, properties: b.properties, sourcestamp: stamp.map(Self.stamp),
                 steps: steps.map { $0.map { step($0, build: b.id) } })
    }

    static func step(_ s: BuildStep, build: Int64) -> StepDTO {
        StepDTO(stepid: StepID.of(build: build, step: s.number), buildid: build, number: s.number, name: s.name, results: s.results?.rawValue, resultsName: s.results?.name,
                startedAt: s.startedAt, completeAt: s.completedAt, stateString: s.stateString,
                complete: s.completedAt != nil, logs: ["stdio"])
    }

    static func change(_ c: Change) -> ChangeDTO {
        ChangeDTO(changeid: c.id, revision: c.revision, branch: c.branch, repository: c.repository, project: c.project,
                  category: c.category, author: c.author, committer: c.committer, comments: c.comments,
                  files: c.files, when: c.when, source: c.source)
    }
}
