import Foundation
import MinibotCore
import Testing
@testable import MinibotSQLite
import MinibotStore

/// Changes, poller heads, steps, logs, worker and plugin state, on an in-memory database.
@Suite struct SQLiteStoreStateTests {
    let store: SQLiteStore

    init() throws { store = try SQLiteStore.inMemory() }

    @Test func changesAreNumberedAndListedNewestFirst() async throws {
        var recorded: [Change] = []
        for i in 0..<3 {
            recorded.append(try await store.addChange(Change(
                revision: "r\(i)", branch: "main", repository: "/r", category: i == 1 ? "docs" : nil, author: "A <a@x>",
                committer: "C <c@x>", comments: "change \(i)", files: ["f\(i)"], when: at(Double(i)), source: "p")))
        }
        #expect(recorded.map(\.id) == recorded.map(\.id).sorted() && recorded[0].id > 0)
        #expect(try await store.changes(limit: 2) == [recorded[2], recorded[1]])
        #expect(try await store.change(id: recorded[1].id) == recorded[1])
        #expect(try await store.change(id: 999) == nil)
    }

    @Test func pollerHeadsAreNilUntilSetThenReplaced() async throws {
        #expect(try await store.pollerHeads("demo") == nil)
        try await store.setPollerHeads("demo", [:])
        #expect(try await store.pollerHeads("demo") == [:])
        try await store.setPollerHeads("demo", ["main": "a"])
        try await store.setPollerHeads("demo", ["main": "b", "dev": "c"])
        #expect(try await store.pollerHeads("demo") == ["main": "b", "dev": "c"])
        #expect(try await store.pollerHeads("other") == nil)
    }

    @Test func stepsAreRecordedInOrder() async throws {
        let build = try await store.mustStart(try await store.submit(["test"])[0])
        try await store.startStep(BuildStep(buildID: build.id, number: 1, name: "make", startedAt: at(3),
                                            stateString: "running"))
        try await store.startStep(BuildStep(buildID: build.id, number: 0, name: "git", startedAt: at(2)))
        try await store.finishStep(buildID: build.id, number: 0, results: .success, stateString: "updated", at: at(3))
        let steps = try await store.steps(buildID: build.id)
        #expect(steps.map(\.name) == ["git", "make"])
        #expect(steps[0].results == .success && steps[0].completedAt == at(3))
        #expect(steps[1].results == nil && steps[1].stateString == "running")

        let neverStarted = await #expect(throws: StoreError.self) {
            try await store.finishStep(buildID: build.id, number: 5, results: .success, stateString: "", at: at(4))
        }
        #expect(neverStarted?.message.contains("never started") == true)
        let noBuild = await #expect(throws: StoreError.self) {
            try await store.startStep(BuildStep(buildID: 999, number: 0, name: "x"))
        }
        #expect(noBuild?.message.contains("no build 999") == true)
    }

    @Test func logsPageInOrderPerStep() async throws {
        let build = try await store.mustStart(try await store.submit(["test"])[0])
        var expected: [(LogStream, String)] = []
        for i in 0..<10 {
            let stream: LogStream = i == 0 ? .header : (i.isMultiple(of: 3) ? .stderr : .stdout)
            try await store.appendLog(buildID: build.id, step: 0, stream: stream, text: "line \(i)\n")
            try await store.appendLog(buildID: build.id, step: 1, stream: .stdout, text: "other \(i)\n")
            expected.append((stream, "line \(i)\n"))
        }
        var read: [LogChunk] = []
        var after: Int64 = 0
        while case let page = try await store.readLog(buildID: build.id, step: 0, afterChunk: after, limit: 3),
              !page.isEmpty {
            #expect(page.count <= 3)
            read += page
            after = try #require(page.last).id
        }
        #expect(read.map(\.text) == expected.map(\.1))
        #expect(read.map(\.stream) == expected.map(\.0))
        #expect(read.map(\.id) == read.map(\.id).sorted())
        #expect(try await store.readLog(buildID: build.id, step: 2, afterChunk: 0, limit: 3).isEmpty)

        let error = await #expect(throws: StoreError.self) {
            try await store.appendLog(buildID: 999, step: 0, stream: .stdout, text: "x")
        }
        #expect(error?.message.contains("no build 999") == true)
    }

    @Test func workerStateRoundTripsAndIsReplaced() async throws {
        #expect(try await store.workerState("w1") == nil)
        let info = WorkerInfo(hostname: "h", os: "Linux 6.1", cpus: 8, version: "0.1")
        let paused = WorkerStateRecord(name: "w1", isPaused: true, pauseReason: "disk full", lastConnected: at(1),
                                       info: info)
        try await store.setWorkerState(paused)
        #expect(try await store.workerState("w1") == paused)
        let resumed = WorkerStateRecord(name: "w1", isPaused: false, lastConnected: at(9))
        try await store.setWorkerState(resumed)
        #expect(try await store.workerState("w1") == resumed)
        #expect(try await store.workerState("w2") == nil)
    }

    @Test func pluginStateSetGetDelete() async throws {
        #expect(try await store.pluginState(plugin: "availability", key: "w1") == nil)
        let flag: JSONValue = .object([
            "flag": .string("unavailable"), "until": .number(1_700_000_000.5), "by": .null,
            "tags": .array([.bool(true), .string("x")]),
        ])
        try await store.setPluginState(plugin: "availability", key: "w1", value: flag)
        try await store.setPluginState(plugin: "availability", key: "w2", value: .string("advisory"))
        try await store.setPluginState(plugin: "other", key: "w1", value: .number(3))
        #expect(try await store.pluginState(plugin: "availability", key: "w1") == flag)
        #expect(try await store.pluginStates(plugin: "availability") == ["w1": flag, "w2": .string("advisory")])

        try await store.setPluginState(plugin: "availability", key: "w2", value: .bool(false))
        #expect(try await store.pluginState(plugin: "availability", key: "w2") == .bool(false))
        try await store.setPluginState(plugin: "availability", key: "w1", value: nil)
        #expect(try await store.pluginState(plugin: "availability", key: "w1") == nil)
        #expect(try await store.pluginStates(plugin: "availability") == ["w2": .bool(false)])
        #expect(try await store.pluginState(plugin: "other", key: "w1") == .number(3))
        // Deleting a key that is not there is not an error.
        try await store.setPluginState(plugin: "availability", key: "nope", value: nil)
    }
}
