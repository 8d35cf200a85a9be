import Foundation
import GRDB
import MinibotCore
import MinibotStore

extension SQLiteStore {
    public func addChange(_ change: Change) async throws -> Change {
        let files = try StoreJSON.encode(change.files, "the files of a change")
        return try await write("record change \(change.revision)") { db in
            try db.cachedStatement(sql: """
                INSERT INTO changes (revision, branch, repository, project, category, author, committer,
                                     comments, files, when_at, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    change.revision, change.branch, change.repository, change.project, change.category,
                    change.author, change.committer, change.comments, files, StoreCoding.seconds(change.when),
                    change.source,
                ])
            var recorded = change
            recorded.id = db.lastInsertedRowID
            return recorded
        }
    }

    public func changes(limit: Int) async throws -> [Change] {
        try await read("list changes") { db in
            let statement = try db.cachedStatement(
                sql: "SELECT \(StoreCoding.changeColumns) FROM changes ORDER BY id DESC LIMIT ?")
            return try Row.fetchAll(statement, arguments: [limit]).map(StoreCoding.change)
        }
    }

    public func change(id: Int64) async throws -> Change? {
        try await read("read change \(id)") { db in
            let statement = try db.cachedStatement(sql: "SELECT \(StoreCoding.changeColumns) FROM changes WHERE id = ?")
            return try Row.fetchOne(statement, arguments: [id]).map(StoreCoding.change)
        }
    }

    public func pollerHeads(_ poller: String) async throws -> [String: String]? {
        let text = try await read("read the branch heads of poller \(poller)") { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT heads FROM poller_heads WHERE poller = ?"),
                                arguments: [poller])
        }
        return try text.map { try StoreJSON.decode([String: String].self, $0, "heads of poller \(poller)") }
    }

    public func setPollerHeads(_ poller: String, _ heads: [String: String]) async throws {
        let text = try StoreJSON.encode(heads, "branch heads")
        try await write("record the branch heads of poller \(poller)") { db in
            try db.cachedStatement(sql: """
                INSERT INTO poller_heads (poller, heads) VALUES (?, ?)
                ON CONFLICT (poller) DO UPDATE SET heads = excluded.heads
                """).execute(arguments: [poller, text])
        }
    }
}
