import Foundation
import MinibotCore

extension API {
    /// A step's log, as Buildbot lists it (`slug` is its name in URLs).
    struct LogDTO: Encodable {
        /// ``StepID`` of its step (one log a step).
        var logid: Int64?
        var stepid: Int64?
        var name: String
        var slug: String
        var buildid: Int64
        var stepNumber: Int
        var complete: Bool
        var numLines: Int
        /// `s` (stdio), as Buildbot's types.
        var type: String
    }

    /// A window of a log's lines, as Buildbot's `logchunks`.
    struct LogChunkDTO: Encodable {
        var firstline: Int
        var content: String
    }

    struct BuildsetDTO: Encodable {
        var bsid: Int64
        var reason: String
        var schedulerName: String
        var submittedAt: Date
        var complete: Bool
        var completeAt: Date?
        var results: Int?
        var resultsName: String?
        var sourcestamps: [SourceStampDTO]
        var properties: [String: String]
        var changeids: [Int64]
        var buildrequestids: [Int64]
    }

    struct MasterDTO: Encodable {
        var masterid: Int64
        var name: String
        var active: Bool
        var lastActive: Date
        /// The hash of its master.cfg (``ConfigDigest``), when known.
        var configHash: String?
        /// Several masters: its generation and when its lease runs out (the database's clock).
        var generation: Int64?
        var leaseExpiresAt: Date?
        /// The schedulers and pollers it runs (`scheduler:NAME`, `poller:NAME`); several
        /// masters only (one master runs them all).
        var jobs: [String]?
        /// Whether this is the master that answers.
        var isThis: Bool
    }

    struct MastersDTO: Encodable {
        var masters: [MasterDTO]
        /// Set when active masters run different master.cfg files (by hash).
        var warning: String?
    }

    /// A request with why it waits and when it will probably start (only while pending).
    static func request(_ r: BuildRequest, waiting: [WaitingReason]?, estimate: StartEstimate? = nil) -> BuildRequestDTO {
        BuildRequestDTO(
            buildrequestid: r.id, buildsetid: r.buildsetID, builder: r.builderName, builderid: StableID.of(r.builderName),
            priority: r.priority,
            submittedAt: r.submittedAt, reason: r.reason, claimed: r.claimedBy != nil, claimedBy: r.claimedBy,
            claimedAt: r.claimedAt, complete: r.isComplete, results: r.results?.rawValue,
            resultsName: r.results?.name, completeAt: r.completedAt, sourcestamp: stamp(r.sourceStamp),
            properties: r.properties,
            waitingReasons: r.isPending ? (waiting ?? []).map(WaitingReasonDTO.init) : nil,
            waitingSummary: r.isPending ? WaitingSummary(waiting ?? []).entries.map(WaitingSummaryDTO.init) : nil,
            waitingSince: r.isPending ? r.submittedAt : nil,
            expectedStart: r.isPending ? Nullable(estimate?.start) : nil,
            expectedStartReason: r.isPending ? estimate?.explanation ?? "unknown: starting, or not in this master's queue" : nil)
    }

    /// A buildset with its requests: complete when all are, results the worst of theirs.
    static func buildset(_ s: Buildset, requests: [BuildRequest]) -> BuildsetDTO {
        let complete = !requests.isEmpty && requests.allSatisfy(\.isComplete)
        let results = complete ? BuildResult.fold(requests.compactMap(\.results)) : nil
        return BuildsetDTO(
            bsid: s.id, reason: s.reason, schedulerName: s.schedulerName, submittedAt: s.submittedAt,
            complete: complete, completeAt: complete ? requests.compactMap(\.completedAt).max() : nil,
            results: results?.rawValue, resultsName: results?.name, sourcestamps: [stamp(s.sourceStamp)],
            properties: s.properties, changeids: s.changeIDs, buildrequestids: requests.map(\.id))
    }
}
