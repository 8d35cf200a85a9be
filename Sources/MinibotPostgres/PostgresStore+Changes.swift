import Foundation
import MinibotCore
import MinibotStore
import PostgresNIO

extension PostgresStore {
    public func addChange(_ change: Change) async throws -> Change {
        let files = try StoreJSON.encode(change.files, "the files of a change")
        let rows = try await rows("record change \(change.revision)", """
            INSERT INTO changes (revision, branch, repository, project, category, author, committer, comments,
                                 files, when_at, source)
            VALUES (\(change.revision), \(change.branch), \(change.repository), \(change.project), \(change.category),
                    \(change.author), \(change.committer), \(change.comments), \(files)::jsonb, \(change.when),
                    \(change.source))
            RETURNING id, pg_notify(\(Self.requestChannel), 'c:' || id) IS NULL AS notified
            """)
        var recorded = change
        recorded.id = try rows[0]["id"].decode(Int64.self)
        return recorded
    }

    public func changes(limit: Int) async throws -> [Change] {
        try await rows("list changes", """
            SELECT \(unescaped: PostgresCoding.changeColumns) FROM changes ORDER BY id DESC LIMIT \(limit)
            """).map(PostgresCoding.change)
    }

    public func change(id: Int64) async throws -> Change? {
        try await rows("read change \(id)", """
            SELECT \(unescaped: PostgresCoding.changeColumns) FROM changes WHERE id = \(id)
            """).first.map(PostgresCoding.change)
    }

    public func pollerHeads(_ poller: String) async throws -> [String: String]? {
        let rows = try await rows("read the branch heads of poller \(poller)",
                                  "SELECT heads::text AS heads FROM poller_heads WHERE poller = \(poller)")
        guard let row = rows.first else { return nil }
        return try StoreJSON.decode([String: String].self, row["heads"].decode(String.self),
                                         "heads of poller \(poller)")
    }

    public func setPollerHeads(_ poller: String, _ heads: [String: String]) async throws {
        let text = try StoreJSON.encode(heads, "branch heads")
        try await rows("record the branch heads of poller \(poller)", """
            INSERT INTO poller_heads (poller, heads) VALUES (\(poller), \(text)::jsonb)
            ON CONFLICT (poller) DO UPDATE SET heads = excluded.heads
            """)
    }
}
