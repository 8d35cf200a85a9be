import Foundation
import GRDB
import MinibotCore
import MinibotStore

/// Conversions between model values and SQLite columns: dates as REAL epoch seconds,
/// maps and lists as JSON text.
enum StoreCoding {
    static func properties(_ row: Row, _ column: String = "properties") throws -> [String: String] {
        let text: String = row[column]
        return try StoreJSON.properties(text)
    }

    static func seconds(_ date: Date) -> Double { date.timeIntervalSince1970 }

    static func seconds(_ date: Date?) -> Double? { date?.timeIntervalSince1970 }

    static func date(_ row: Row, _ column: String) -> Date {
        Date(timeIntervalSince1970: row[column] as Double)
    }

    static func optionalDate(_ row: Row, _ column: String) -> Date? {
        (row[column] as Double?).map { Date(timeIntervalSince1970: $0) }
    }

    static func result(_ row: Row, _ column: String = "results") -> BuildResult? {
        (row[column] as Int?).flatMap { BuildResult(rawValue: $0) }
    }

    // MARK: rows to models

    static let changeColumns =
        "id, revision, branch, repository, project, category, author, committer, comments, files, when_at, source"

    static func change(_ row: Row) throws -> Change {
        Change(id: row["id"], revision: row["revision"], branch: row["branch"], repository: row["repository"],
               project: row["project"], category: row["category"], author: row["author"],
               committer: row["committer"], comments: row["comments"],
               files: try StoreJSON.decode([String].self, row["files"], "files of change \(row["id"] as Int64)"),
               when: date(row, "when_at"), source: row["source"])
    }

    static let requestColumns = """
        id, buildset_id, builder, priority, submitted_at, reason, ss_repository, ss_branch, ss_revision, \
        ss_project, properties, claimed_by, claimed_at, complete, results, complete_at
        """

    static func request(_ row: Row) throws -> BuildRequest {
        BuildRequest(id: row["id"], buildsetID: row["buildset_id"], builderName: row["builder"],
                     priority: row["priority"], submittedAt: date(row, "submitted_at"), reason: row["reason"],
                     sourceStamp: sourceStamp(row), properties: try properties(row),
                     claimedBy: row["claimed_by"], claimedAt: optionalDate(row, "claimed_at"),
                     isComplete: row["complete"], results: result(row), completedAt: optionalDate(row, "complete_at"))
    }

    static func sourceStamp(_ row: Row) -> SourceStamp {
        SourceStamp(repository: row["ss_repository"], branch: row["ss_branch"], revision: row["ss_revision"],
                    project: row["ss_project"])
    }

    static let buildColumns = """
        id, number, builder, buildrequest_id, worker, started_at, complete_at, results, state_string, properties
        """

    static func build(_ row: Row) throws -> Build {
        Build(id: row["id"], number: row["number"], builderName: row["builder"],
              buildRequestID: row["buildrequest_id"], workerName: row["worker"],
              startedAt: date(row, "started_at"), completedAt: optionalDate(row, "complete_at"),
              results: result(row), stateString: row["state_string"], properties: try properties(row))
    }

    static func step(_ row: Row) -> BuildStep {
        BuildStep(buildID: row["build_id"], number: row["number"], name: row["name"],
                  startedAt: optionalDate(row, "started_at"), completedAt: optionalDate(row, "complete_at"),
                  results: result(row), stateString: row["state_string"])
    }
}
