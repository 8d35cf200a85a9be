import Foundation
import MinibotCore
import MinibotStore
import PostgresNIO

/// Conversions between model values and PostgreSQL columns: maps and lists are bound as JSON
/// text and cast to `jsonb` in SQL, and read back as `::text`.
enum PostgresCoding {
    static func properties(_ row: PostgresRandomAccessRow, _ column: String = "properties") throws -> [String: String] {
        let text = try row[column].decode(String.self)
        return try StoreJSON.properties(text)
    }

    static func result(_ row: PostgresRandomAccessRow, _ column: String = "results") throws -> BuildResult? {
        try row[column].decode(Int?.self).flatMap { BuildResult(rawValue: $0) }
    }

    // MARK: rows to models

    static let changeColumns = """
        id, revision, branch, repository, project, category, author, committer, comments, files::text AS files, \
        when_at, source
        """

    static func change(_ row: PostgresRandomAccessRow) throws -> Change {
        let id = try row["id"].decode(Int64.self)
        return Change(id: id, revision: try row["revision"].decode(String.self),
                      branch: try row["branch"].decode(String.self),
                      repository: try row["repository"].decode(String.self),
                      project: try row["project"].decode(String.self),
                      category: try row["category"].decode(String?.self),
                      author: try row["author"].decode(String.self),
                      committer: try row["committer"].decode(String?.self),
                      comments: try row["comments"].decode(String.self),
                      files: try StoreJSON.decode([String].self, row["files"].decode(String.self), "files of change \(id)"),
                      when: try row["when_at"].decode(Date.self), source: try row["source"].decode(String.self))
    }

    static let requestColumns = """
        id, buildset_id, builder, priority, submitted_at, reason, ss_repository, ss_branch, ss_revision, \
        ss_project, properties::text AS properties, claimed_by, claimed_at, complete, results, complete_at
        """

    static func request(_ row: PostgresRandomAccessRow) throws -> BuildRequest {
        BuildRequest(id: try row["id"].decode(Int64.self), buildsetID: try row["buildset_id"].decode(Int64.self),
                     builderName: try row["builder"].decode(String.self), priority: try row["priority"].decode(Int.self),
                     submittedAt: try row["submitted_at"].decode(Date.self), reason: try row["reason"].decode(String.self),
                     sourceStamp: try sourceStamp(row), properties: try properties(row),
                     claimedBy: try row["claimed_by"].decode(String?.self),
                     claimedAt: try row["claimed_at"].decode(Date?.self),
                     isComplete: try row["complete"].decode(Bool.self), results: try result(row),
                     completedAt: try row["complete_at"].decode(Date?.self))
    }

    static func sourceStamp(_ row: PostgresRandomAccessRow) throws -> SourceStamp {
        SourceStamp(repository: try row["ss_repository"].decode(String.self),
                    branch: try row["ss_branch"].decode(String?.self),
                    revision: try row["ss_revision"].decode(String?.self),
                    project: try row["ss_project"].decode(String.self))
    }

    static let buildColumns = """
        id, number, builder, buildrequest_id, worker, started_at, complete_at, results, state_string, \
        properties::text AS properties
        """

    static func build(_ row: PostgresRandomAccessRow) throws -> Build {
        Build(id: try row["id"].decode(Int64.self), number: try row["number"].decode(Int.self),
              builderName: try row["builder"].decode(String.self),
              buildRequestID: try row["buildrequest_id"].decode(Int64.self),
              workerName: try row["worker"].decode(String.self), startedAt: try row["started_at"].decode(Date.self),
              completedAt: try row["complete_at"].decode(Date?.self), results: try result(row),
              stateString: try row["state_string"].decode(String.self), properties: try properties(row))
    }

    static func step(_ row: PostgresRandomAccessRow) throws -> BuildStep {
        BuildStep(buildID: try row["build_id"].decode(Int64.self), number: try row["number"].decode(Int.self),
                  name: try row["name"].decode(String.self), startedAt: try row["started_at"].decode(Date?.self),
                  completedAt: try row["complete_at"].decode(Date?.self), results: try result(row),
                  stateString: try row["state_string"].decode(String.self))
    }
}
