import Foundation
import MinibotCore
import Testing
@testable import MinibotSQLite
import MinibotStore

/// The janitor's deletion of old logs: only ended builds before the cutoff, all of their
/// steps' chunks, each build once, and the rest of the history kept.
@Suite struct SQLiteStoreJanitorTests {
    @Test func deletesTheLogsOfBuildsThatEndedBeforeTheCutoffOnly() async throws {
        try await withTemporaryDirectory { dir in
            let store = try SQLiteStore(path: dir.appendingPathComponent("state.sqlite").path)
            let requests = try await store.submit(["old", "recent", "running"])
            var builds: [Build] = []
            for request in requests { builds.append(try await store.mustStart(request)) }
            for build in builds {
                for step in 0..<2 {
                    for i in 0..<3 {
                        try await store.appendLog(buildID: build.id, step: step, stream: .stdout, text: "\(build.builderName) \(step) \(i)\n")
                    }
                }
            }
            try await store.finishBuild(id: builds[0].id, results: .success, stateString: "done", at: at(10), properties: [:])
            try await store.finishBuild(id: builds[1].id, results: .failure, stateString: "done", at: at(100), properties: [:])

            let first = try await store.pruneLogs(endedBefore: at(50), at: at(200))
            #expect(first == LogPruning(builds: 1, chunks: 6))
            #expect(try await store.readLog(buildID: builds[0].id, step: 1, afterChunk: 0, limit: 10).isEmpty)
            #expect(try await store.logsPruned(buildID: builds[0].id) == at(200))
            // The build itself, its steps' results and the others' logs stay.
            #expect(try await store.build(id: builds[0].id)?.results == .success)
            #expect(try await store.readLog(buildID: builds[1].id, step: 0, afterChunk: 0, limit: 10).count == 3)
            #expect(try await store.logsPruned(buildID: builds[1].id) == nil)
            #expect(try await store.readLog(buildID: builds[2].id, step: 0, afterChunk: 0, limit: 10).count == 3)

            // A later run with a later cutoff takes the next one; a running build is never touched,
            // and a build already done is not counted again.
            let second = try await store.pruneLogs(endedBefore: at(1_000), at: at(2_000))
            #expect(second == LogPruning(builds: 1, chunks: 6))
            #expect(try await store.logsPruned(buildID: builds[0].id) == at(200))
            #expect(try await store.readLog(buildID: builds[2].id, step: 1, afterChunk: 0, limit: 10).count == 3)
            #expect(try await store.pruneLogs(endedBefore: at(1_000), at: at(3_000)) == LogPruning())
        }
    }

    @Test func manyOldBuildsArePrunedInBatches() async throws {
        try await withTemporaryDirectory { dir in
            let store = try SQLiteStore(path: dir.appendingPathComponent("state.sqlite").path)
            let requests = try await store.submit(Array(repeating: "b", count: 120))
            for (i, request) in requests.enumerated() {
                let build = try await store.mustStart(request, offset: Double(i))
                try await store.appendLog(buildID: build.id, step: 0, stream: .stdout, text: "output \(i)\n")
                try await store.finishBuild(id: build.id, results: .success, stateString: "done", at: at(Double(i) + 0.5),
                                            properties: [:])
            }
            #expect(try await store.pruneLogs(endedBefore: at(10_000), at: at(20_000)) == LogPruning(builds: 120, chunks: 120))
        }
    }

    /// A new file is made with incremental vacuum: once old builds are deleted, the janitor's
    /// `reclaimSpace` gives their pages back in steps and the file shrinks.
    @Test func deletedBuildsGiveTheirSpaceBack() async throws {
        try await withTemporaryDirectory { dir in
            let store = try SQLiteStore(path: dir.appendingPathComponent("state.sqlite").path)
            #expect(try await store.pragma("auto_vacuum") == "2")
            var requests: [BuildRequest] = []
            for i in 0..<30 { requests += try await store.submit(["b"], offset: Double(i)) }  // a buildset each
            let text = String(repeating: "a line of output that fills the log\n", count: 3_000)
            for (i, request) in requests.enumerated() {
                let build = try await store.mustStart(request, offset: Double(i))
                try await store.appendLog(buildID: build.id, step: 0, stream: .stdout, text: text)
                try await store.finishBuild(id: build.id, results: .success, stateString: "done", at: at(Double(i) + 0.5),
                                            properties: [:])
            }
            let before = try #require(Int(try await store.pragma("page_count") ?? ""))
            #expect(try await store.pruneBuilds(endedBefore: at(10_000)) == 29, "all but the builder's newest")
            #expect(try await store.pragma("freelist_count") != "0")
            var given = 0, steps = 0
            while case let n = try await store.reclaimSpace(pages: 64), n > 0 {
                given += n
                steps += 1
            }
            let after = try #require(Int(try await store.pragma("page_count") ?? ""))
            #expect(steps > 1, "in steps of at most 64 pages")
            #expect(given > 0 && after * 5 < before, "\(before) → \(after) pages, \(given) given back")
            #expect(try await store.pragma("freelist_count") == "0")
        }
    }
}
