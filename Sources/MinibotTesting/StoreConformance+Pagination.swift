import Foundation
import MinibotCore
import MinibotStore

/// The list queries: newest first, cut at `limit`; logs page on from the last chunk seen.
extension StoreConformance {
    /// `changes`, `requests`, `builds` return the newest `limit` items; `readLog` reads a
    /// step's log page by page from the last chunk seen, in order, each chunk once.
    public static func pagination(make: @escaping Make) async throws {
        let store = try await make()
        var changes: [Change] = []
        for i in 0..<5 {
            changes.append(try await store.addChange(Change(
                revision: "r\(i)", branch: "main", repository: "/r", author: "A <a@x>", comments: "change \(i)",
                files: ["f\(i)"], when: at(Double(i)), source: "conformance")))
        }
        try checkEqual(try await store.changes(limit: 2).map(\.id), [changes[4].id, changes[3].id],
                       "the newest 2 changes")
        try checkEqual(try await store.changes(limit: 10).map(\.id), changes.reversed().map(\.id), "all changes")

        var requests: [BuildRequest] = []
        for i in 0..<5 { requests += try await submit(store, [i.isMultiple(of: 2) ? "a" : "b"], offset: Double(i)) }
        try checkEqual(try await store.requests(claimed: nil, complete: nil, limit: 3).map(\.id),
                       requests.reversed().prefix(3).map(\.id), "the newest 3 requests")
        try checkEqual(try await store.requests(claimed: false, complete: false, limit: 2).map(\.id),
                       [requests[4].id, requests[3].id], "the newest 2 pending requests")
        try checkEqual(try await store.requests(claimed: false, complete: nil, limit: 2).map(\.id),
                       [requests[4].id, requests[3].id], "the newest 2 unclaimed requests")
        try checkEqual(try await store.requests(claimed: nil, complete: false, limit: 2).map(\.id),
                       [requests[4].id, requests[3].id], "the newest 2 incomplete requests")

        var builds: [Build] = []
        for request in requests { builds.append(try await mustStart(store, request)) }
        try checkEqual(try await store.builds(builder: nil, limit: 2).map(\.id), [builds[4].id, builds[3].id],
                       "the newest 2 builds")
        try checkEqual(try await store.builds(builder: "a", limit: 2).map(\.number), [3, 2],
                       "the newest 2 builds of builder a")
        try checkEqual(try await store.builds(builder: "b", limit: 10).map(\.number), [2, 1], "the builds of b")
        // Every request is claimed now: the filters that index the few open ones still answer.
        try checkEqual(try await store.requests(claimed: true, complete: false, limit: 2).map(\.id),
                       [requests[4].id, requests[3].id], "the newest 2 running requests")
        try checkEqual(try await store.requests(claimed: false, complete: nil, limit: 10).map(\.id), [],
                       "no unclaimed request once all run")

        // Filtered in the store: a, b, a, b, a; builds 0 and 3 end, 0 failing.
        _ = try await store.finishBuild(id: builds[0].id, results: .failure, stateString: "failed", at: at(200), properties: [:])
        _ = try await store.finishBuild(id: builds[3].id, results: .success, stateString: "ok", at: at(201), properties: [:])
        let ids: (BuildQuery) async throws -> [Int64] = { try await store.builds($0).map(\.id) }
        try checkEqual(try await ids(BuildQuery(complete: false, limit: 10)), [builds[4].id, builds[2].id, builds[1].id],
                       "the running builds")
        try checkEqual(try await ids(BuildQuery(complete: false, offset: 1, limit: 1)), [builds[2].id],
                       "the second running build")
        try checkEqual(try await ids(BuildQuery(builder: "a", complete: false, limit: 10)), [builds[4].id, builds[2].id],
                       "the running builds of a")
        try checkEqual(try await ids(BuildQuery(complete: true, limit: 10)), [builds[3].id, builds[0].id], "the ended builds")
        try checkEqual(try await ids(BuildQuery(builder: "a", results: [.failure, .exception], limit: 10)), [builds[0].id],
                       "the failed builds of a")
        try checkEqual(try await ids(BuildQuery(results: [], limit: 10)), [], "no result asked for")
        try checkEqual(try await ids(BuildQuery(builder: "b", offset: 1, limit: 10)), [builds[1].id],
                       "the builds of b after the first")
        try checkEqual(try await ids(BuildQuery(before: builds[3].id, limit: 2)), [builds[2].id, builds[1].id],
                       "the 2 builds before build 3 (keyset)")
        try checkEqual(try await ids(BuildQuery(builder: "a", before: builds[4].id, limit: 10)), [builds[2].id, builds[0].id],
                       "the builds of a before its newest (keyset)")
        try checkEqual(try await ids(BuildQuery(complete: false, before: builds[2].id, limit: 10)), [builds[1].id],
                       "the running builds before build 2 (keyset)")

        let build = builds[4]  // still running: its writes hold the claim
        try await store.startStep(BuildStep(buildID: build.id, number: 0, name: "make", startedAt: at(101)))
        let lines = (0..<7).map { "line \($0)\n" }
        for line in lines {
            try await store.appendLog(buildID: build.id, step: 0, stream: .stdout, text: line)
        }
        var read: [String] = []
        var after: Int64 = 0
        var pages = 0
        while true {
            let page = try await store.readLog(buildID: build.id, step: 0, afterChunk: after, limit: 3)
            guard let last = page.last else { break }
            try check(page.count <= 3, "a log page is longer than its limit: \(page.count)")
            try check(last.id > after, "log chunk ids do not increase: \(last.id) after \(after)")
            read += page.map(\.text)
            after = last.id
            pages += 1
        }
        try checkEqual(read, lines, "the log read page by page")
        try checkEqual(pages, 3, "pages of 3 chunks for 7 chunks")
    }
}
