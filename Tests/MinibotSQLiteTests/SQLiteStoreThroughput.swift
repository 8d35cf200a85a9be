import Foundation
import MinibotCore
import Testing
@testable import MinibotSQLite
import MinibotStore

/// An ad-hoc throughput figure, not an assertion: run with `MINIBOT_STORE_BENCH=1`.
///
/// One cycle is what the master writes for a small build: startBuild, two steps started
/// and finished, one 4 KiB log chunk, finishBuild (plus the buildset that made the request).
@Suite struct SQLiteStoreThroughput {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MINIBOT_STORE_BENCH"] != nil))
    func buildCyclesPerSecondOnAFile() async throws {
        try await withTemporaryDirectory { dir in
            let store = try SQLiteStore(path: dir.appendingPathComponent("state.sqlite").path)
            let cycles = 2000
            let concurrency = 8
            let chunk = String(repeating: "output line\n", count: 340)
            let requests = try await store.submit(Array(repeating: "bench", count: cycles))
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for lane in 0..<concurrency {
                        group.addTask {
                            for index in stride(from: lane, to: cycles, by: concurrency) {
                                let request = requests[index]
                                guard let build = try await store.startBuild(
                                    requestID: request.id, master: "m1", worker: "w\(lane)", at: Date(),
                                    properties: ["lane": "\(lane)"]) else { continue }
                                for step in 0..<2 {
                                    try await store.startStep(BuildStep(buildID: build.id, number: step,
                                                                        name: "s\(step)", startedAt: Date()))
                                    if step == 1 {
                                        try await store.appendLog(buildID: build.id, step: step, stream: .stdout,
                                                                  text: chunk)
                                    }
                                    try await store.finishStep(buildID: build.id, number: step, results: .success,
                                                               stateString: "ok", at: Date())
                                }
                                try await store.finishBuild(id: build.id, results: .success, stateString: "ok",
                                                            at: Date(), properties: [:])
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("SQLiteStore: \(cycles) build cycles (7 writes each) in \(String(format: "%.2f", seconds)) s "
                + "= \(Int(Double(cycles) / seconds)) cycles/s")
            #expect(try await store.pendingRequests().isEmpty)
        }
    }
}
