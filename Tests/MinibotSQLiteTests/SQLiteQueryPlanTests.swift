import Foundation
import MinibotCore
import Testing
@testable import MinibotSQLite
import MinibotStore

/// The queries a long history would make slow, checked with `EXPLAIN QUERY PLAN`: each reads
/// through an index, never the whole of builds, requests or logs (issue 16).
@Suite struct SQLiteQueryPlanTests {
    /// A plan line that walks a table itself; acceptable only where the query reads it newest
    /// first by rowid and stops at its limit (`ORDER BY id DESC LIMIT`).
    static func scans(_ plan: [String], _ table: String) -> Bool {
        plan.contains { $0.hasPrefix("SCAN \(table)") && !$0.contains("USING") }
    }

    @Test(arguments: [(false, false), (nil, false), (true, false), (false, nil)] as [(Bool?, Bool?)])
    func requestListsThatFewRowsPassUseAnIndex(claimed: Bool?, complete: Bool?) async throws {
        let store = try SQLiteStore.inMemory()
        let plan = try await store.queryPlan(SQLiteStore.requestsSQL(claimed: claimed, complete: complete))
        #expect(!Self.scans(plan, "buildrequests"), "claimed \(String(describing: claimed)), complete \(String(describing: complete)): \(plan)")
    }

    /// Running builds (few in any history) and one builder's builds come through an index,
    /// read in order (no sort); a keyset page (`before`) starts at its place in it; the other
    /// lists walk the newest builds by rowid and stop at the page's end.
    @Test(arguments: [BuildQuery(complete: false, limit: 100), BuildQuery(builder: "b", complete: false, limit: 100),
                      BuildQuery(builder: "b", limit: 100), BuildQuery(builder: "b", complete: true, limit: 100),
                      BuildQuery(builder: "b", results: [.failure], limit: 100), BuildQuery(before: 500, limit: 100),
                      BuildQuery(builder: "b", before: 500, limit: 100), BuildQuery(complete: false, before: 500, limit: 100)])
    func buildListsThatFewRowsPassUseAnIndex(query: BuildQuery) async throws {
        let store = try SQLiteStore.inMemory()
        let plan = try await store.queryPlan(SQLiteStore.buildsSQL(query))
        #expect(!Self.scans(plan, "builds"), "\(query): \(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "sorted, not read in order: \(query): \(plan)")
    }

    @Test func theQueriesOfTheDistributorTheJanitorAndTheLogReadersUseIndexes() async throws {
        let store = try SQLiteStore.inMemory()
        let queries: [(String, String)] = [
            ("buildrequests", """
                SELECT \(StoreCoding.requestColumns) FROM buildrequests WHERE claimed_by IS NULL AND complete = 0
                ORDER BY priority DESC, submitted_at, id
                """),
            ("builds", "SELECT \(StoreCoding.buildColumns) FROM builds WHERE builder = ? ORDER BY number DESC LIMIT ?"),
            ("builds", "SELECT COALESCE(MAX(number), 0) + 1 FROM builds WHERE builder = ?"),
            ("builds", "SELECT \(StoreCoding.buildColumns) FROM builds WHERE master = ? AND complete_at IS NULL ORDER BY id"),
            ("builds", "SELECT worker, COUNT(*) FROM builds WHERE started_at >= ? GROUP BY worker"),
            ("builds", "SELECT id FROM builds WHERE logs_pruned_at IS NULL AND complete_at < ? ORDER BY complete_at LIMIT 50"),
            ("builds", "SELECT \(StoreCoding.buildColumns) FROM builds WHERE buildrequest_id = ? ORDER BY id"),
            ("buildrequests", "SELECT \(StoreCoding.requestColumns) FROM buildrequests WHERE buildset_id = ? ORDER BY id"),
            ("logs", "SELECT id, stream, text, size, format FROM logs WHERE build_id = ? AND step = ? AND id > ? ORDER BY id LIMIT ?"),
            ("logs", "DELETE FROM logs WHERE build_id IN (1, 2)"),
        ]
        for (table, sql) in queries {
            let plan = try await store.queryPlan(sql)
            #expect(!Self.scans(plan, table), "\(sql): \(plan)")
        }
    }
}
