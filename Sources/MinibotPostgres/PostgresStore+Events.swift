import Foundation
import MinibotCore
import MinibotStore
import PostgresNIO

/// Each master's event stream in the `events` table, so every master's API, CLI `follow` and
/// web pages show any build live, whichever master runs it. A master's events are numbered
/// by its `masters` row (`event_seq`), taken by the same statement that inserts them.
extension PostgresStore {
    public func appendEvents(_ events: [SharedEvent], master: String) async throws -> Bool {
        guard !events.isEmpty else { return true }
        let times = events.map { $0.time.timeIntervalSince1970 }
        let types = events.map(\.type)
        let fields = try events.map { try StoreJSON.encode($0.fields, "the fields of a \($0.type) event") }
        let count = Int64(events.count)
        // The UPDATE locks this master's row to the commit: its next append waits, so its
        // events commit in the order of their numbers. The INSERT runs though nothing reads
        // it (a data-modifying WITH always does); the notification is sent at the commit.
        return try await !rows("append \(events.count) events of master \(master)", """
            WITH m AS (
                UPDATE masters SET event_seq = event_seq + \(count) WHERE name = \(master) AND active
                RETURNING id, event_seq - \(count) AS base
            ), added AS (
                INSERT INTO events (master_id, seq, at, type, fields)
                SELECT m.id, m.base + e.n, to_timestamp(e.at), e.type, e.fields::jsonb
                FROM m, unnest(\(times)::float8[], \(types)::text[], \(fields)::text[]) WITH ORDINALITY AS e(at, type, fields, n)
                RETURNING 1
            )
            SELECT pg_notify(\(Self.requestChannel), \(StoreWakeUp.events(master).payload)) IS NULL AS notified FROM m
            """).isEmpty
    }

    public func eventPositions() async throws -> SharedEventPositions {
        var positions: SharedEventPositions = [:]
        for row in try await rows("read where each master's events stand", "SELECT id, event_seq FROM masters") {
            positions[try row["id"].decode(Int64.self)] = try row["event_seq"].decode(Int64.self)
        }
        return positions
    }

    public func events(after positions: SharedEventPositions, excluding master: String,
                       limit: Int) async throws -> [SharedEvent] {
        let ids = Array(positions.keys), seqs = ids.map { positions[$0] ?? 0 }
        let limit = max(1, limit)
        // Per master: a range of the primary key after its position, at most `limit` rows, so
        // what is returned of each master has no hole however the others' pages are cut.
        return try await rows("read the other masters' events", """
            SELECT e.master_id, m.name, e.seq, e.at, e.type, e.fields::text AS fields
            FROM masters m CROSS JOIN LATERAL (
                SELECT * FROM events e
                WHERE e.master_id = m.id
                  AND e.seq > COALESCE((SELECT p.seq FROM unnest(\(ids)::bigint[], \(seqs)::bigint[]) AS p(id, seq)
                                        WHERE p.id = m.id), 0)
                ORDER BY e.seq LIMIT \(limit)
            ) e
            WHERE m.name <> \(master)
            ORDER BY e.master_id, e.seq
            """).map { row in
                // A row whose fields do not decode comes back without a type, so the reader
                // skips it and moves on instead of stopping at it for ever.
                let fields = try? StoreJSON.decode([String: JSONValue].self, try row["fields"].decode(String.self), "event fields")
                return SharedEvent(masterID: try row["master_id"].decode(Int64.self),
                                   master: try row["name"].decode(String.self), seq: try row["seq"].decode(Int64.self),
                                   time: try row["at"].decode(Date.self),
                                   type: fields == nil ? "" : try row["type"].decode(String.self), fields: fields ?? [:])
            }
    }

    public func pruneEvents(keeping: Int) async throws -> Int {
        let keep = Int64(max(0, keeping))
        let row = try await rows("prune the masters' events", """
            WITH gone AS (
                DELETE FROM events e USING masters m WHERE e.master_id = m.id AND e.seq <= m.event_seq - \(keep)
                RETURNING 1
            )
            SELECT count(*) AS n FROM gone
            """)
        return try row.first.map { Int(try $0["n"].decode(Int64.self)) } ?? 0
    }
}
