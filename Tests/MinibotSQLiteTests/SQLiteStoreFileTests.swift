import Foundation
import MinibotCompression
import MinibotCore
import Testing
@testable import MinibotSQLite
import MinibotStore

/// Behaviour that needs a real database file: creation, reopening, several connections.
@Suite struct SQLiteStoreFileTests {
    /// Issue 12: a state.sqlite deleted or replaced under a running master is noticed.
    @Test func healthSaysWhenTheFileIsDeletedOrReplaced() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("state.sqlite").path
            let store = try SQLiteStore(path: path)
            #expect(await store.health() == nil)
            try FileManager.default.moveItem(atPath: path, toPath: path + ".moved")
            #expect(await store.health()?.contains("was deleted") == true)
            _ = try SQLiteStore(path: path)
            #expect(await store.health()?.contains("was replaced") == true)
            #expect(await (try SQLiteStore.inMemory()).health() == nil)
        }
    }

    @Test func newFileIsCreatedMigratedAndInWALMode() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("state.sqlite").path
            #expect(!FileManager.default.fileExists(atPath: path))
            let store = try SQLiteStore(path: path)
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(try await store.appliedMigrations().count == 7)
            #expect(try await store.tableNames() == [
                "buildrequests", "builds", "buildset_changes", "buildsets", "changes", "logs", "plugin_state",
                "poller_heads", "steps", "workers",
            ])
            #expect(try await store.pragma("journal_mode") == "wal")
            #expect(try await store.pragma("foreign_keys") == "1")
            // NORMAL is 1.
            #expect(try await store.pragma("synchronous") == "1")

            // Opening again applies nothing new and keeps the schema.
            let again = try SQLiteStore(path: path)
            #expect(try await again.appliedMigrations() == store.appliedMigrations())
        }
    }

    @Test func openingInAMissingDirectoryNamesTheFile() async throws {
        let path = "/nonexistent-\(UUID().uuidString)/state.sqlite"
        let error = try #require(throws: StoreError.self) { try SQLiteStore(path: path) }
        #expect(error.message.contains(path))
        #expect(error.message.contains("directory"))
    }

    @Test func reopeningKeepsEverything() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("state.sqlite").path
            let info = WorkerInfo(hostname: "host-a", os: "Linux", cpus: 2, version: "1.0", facts: ["agent": "/run/agent.sock"])
            var ids: (change: Int64, buildset: Int64, request: Int64, build: Int64) = (0, 0, 0, 0)
            do {
                let store = try SQLiteStore(path: path)
                let change = try await store.addChange(Change(
                    revision: "abc123", branch: "main", repository: "/srv/git/demo.git", author: "A <a@x>",
                    comments: "fix", files: ["a.c", "b/c.h"], when: at(-5), source: "demo"))
                try await store.setPollerHeads("demo", ["main": "abc123", "dev": "def456"])
                let requests = try await store.submit(["test", "lint"], priority: 3, changeIDs: [change.id],
                                                      properties: ["reason": "push"])
                let build = try await store.mustStart(requests[0], master: "m1", worker: "w1")
                try await store.startStep(BuildStep(buildID: build.id, number: 0, name: "git", startedAt: at(2)))
                try await store.finishStep(buildID: build.id, number: 0, results: .success, stateString: "updated",
                                           at: at(3))
                try await store.appendLog(buildID: build.id, step: 0, stream: .stdout, text: "cloned\n")
                try await store.setWorkerState(WorkerStateRecord(
                    name: "w1", isPaused: true, pauseReason: "maintenance", lastConnected: at(1), info: info))
                try await store.setPluginState(plugin: "availability", key: "w1", value: .object(["flag": .string("advisory")]))
                ids = (change.id, requests[0].buildsetID, requests[0].id, build.id)
            }

            let store = try SQLiteStore(path: path)
            let change = try #require(try await store.change(id: ids.change))
            #expect(change.files == ["a.c", "b/c.h"])
            #expect(change.when == at(-5))
            #expect(try await store.pollerHeads("demo") == ["main": "abc123", "dev": "def456"])
            let buildset = try #require(try await store.buildset(id: ids.buildset))
            #expect(buildset.changeIDs == [ids.change])
            #expect(buildset.sourceStamp == stamp)
            #expect(buildset.properties == ["reason": "push"])
            let requests = try await store.requests(buildsetID: ids.buildset)
            #expect(requests.map(\.builderName) == ["test", "lint"])
            #expect(requests[0].claimedBy == "m1")
            #expect(requests[0].priority == 3)
            #expect(requests[1].isPending)
            let build = try #require(try await store.build(id: ids.build))
            #expect(build.number == 1 && build.workerName == "w1" && build.startedAt == at(1) && !build.isComplete)
            #expect(try await store.runningBuilds(master: "m1").map(\.id) == [ids.build])
            let steps = try await store.steps(buildID: ids.build)
            #expect(steps == [BuildStep(buildID: ids.build, number: 0, name: "git", startedAt: at(2),
                                        completedAt: at(3), results: .success, stateString: "updated")])
            #expect(try await store.readLog(buildID: ids.build, step: 0, afterChunk: 0, limit: 10).map(\.text)
                == ["cloned\n"])
            #expect(try await store.workerState("w1") == WorkerStateRecord(
                name: "w1", isPaused: true, pauseReason: "maintenance", lastConnected: at(1), info: info))
            #expect(try await store.pluginState(plugin: "availability", key: "w1")
                == .object(["flag": .string("advisory")]))
        }
    }

    /// 50 MB written as 64 KiB chunks reads back page by page, in order, complete.
    @Test func compressedAndTextChunksReadBackAsTextInOrder() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("state.sqlite").path
            let store = try SQLiteStore(path: path)
            let request = try #require(try await store.submit(["test"]).first)
            let build = try await store.mustStart(request)
            let noisy = String(repeating: "cc -c module.c -o module.o ✓\n", count: 500)
            let compressed = try #require(LogCompression.compress(noisy))
            try await store.appendLog(buildID: build.id, step: 1, [
                LogWrite(stream: .header, payload: .text("make all\n")),
                LogWrite(stream: .stdout, payload: .compressed(compressed, size: noisy.utf8.count)),
                LogWrite(stream: .stderr, payload: .text("warning\n")),
                LogWrite(stream: .stdout, payload: .compressed(compressed, size: noisy.utf8.count)),
            ])
            // Reopened: what was stored compressed is still read back as text.
            let again = try SQLiteStore(path: path)
            let chunks = try await again.readLog(buildID: build.id, step: 1, afterChunk: 0, limit: 10)
            #expect(chunks.map(\.stream) == [.header, .stdout, .stderr, .stdout])
            #expect(chunks.map(\.text) == ["make all\n", noisy, "warning\n", noisy])
        }
    }

    @Test func aDamagedCompressedChunkIsAnErrorThatNamesIt() async throws {
        try await withTemporaryDirectory { dir in
            let store = try SQLiteStore(path: dir.appendingPathComponent("state.sqlite").path)
            let request = try #require(try await store.submit(["test"]).first)
            let build = try await store.mustStart(request)
            try await store.appendLog(buildID: build.id, step: 1, [
                LogWrite(stream: .stdout, payload: .compressed([1, 2, 3, 4], size: 100)),
            ])
            await #expect(throws: StoreError.self) {
                _ = try await store.readLog(buildID: build.id, step: 1, afterChunk: 0, limit: 10)
            }
        }
    }

    @Test func largeLogReadsPageByPage() async throws {
        try await withTemporaryDirectory { dir in
            let store = try SQLiteStore(path: dir.appendingPathComponent("state.sqlite").path)
            let request = try #require(try await store.submit(["test"]).first)
            let build = try await store.mustStart(request)
            let chunkSize = 64 * 1024
            let chunkCount = 50 * 1024 * 1024 / chunkSize
            let filler = String(repeating: "x", count: chunkSize - 8)
            func marker(_ i: Int) -> String { String(format: "%07d\n", i) }
            for i in 0..<chunkCount {
                try await store.appendLog(buildID: build.id, step: 1, stream: .stdout, text: marker(i) + filler)
            }
            // Another step's output in the same build must not show up.
            try await store.appendLog(buildID: build.id, step: 2, stream: .stdout, text: "other")

            var after: Int64 = 0
            var seen = 0
            var bytes = 0
            while true {
                let page = try await store.readLog(buildID: build.id, step: 1, afterChunk: after, limit: 16)
                if page.isEmpty { break }
                #expect(page.count <= 16)
                for chunk in page {
                    #expect(chunk.id > after)
                    #expect(chunk.text.hasPrefix(marker(seen)))
                    after = chunk.id
                    seen += 1
                    bytes += chunk.text.utf8.count
                }
            }
            #expect(seen == chunkCount)
            #expect(bytes == chunkCount * chunkSize)
        }
    }
}
