import Foundation
import MinibotCore
@testable import MinibotSQLite
import MinibotStore

/// Times that survive the REAL round trip exactly (binary fractions).
let t0 = Date(timeIntervalSince1970: 1_700_000_000.25)

func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

let stamp = SourceStamp(repository: "/srv/git/demo.git", branch: "main", revision: "abc123", project: "demo")

extension SQLiteStore {
    /// Submits one buildset with a request per builder, submitted at `t0 + offset`.
    func submit(_ builders: [String], offset: Double = 0, priority: Int = 0,
                changeIDs: [Int64] = [], properties: [String: String] = [:]) async throws -> [BuildRequest] {
        let buildset = Buildset(reason: "test", schedulerName: "main", sourceStamp: stamp,
                                properties: properties, submittedAt: at(offset), changeIDs: changeIDs)
        return try await addBuildset(buildset, builders: builders, priority: priority).1
    }

    /// Starts a build for `request` that must succeed.
    func mustStart(_ request: BuildRequest, master: String = "m1", worker: String = "w1",
                   offset: Double = 1) async throws -> Build {
        guard let build = try await startBuild(requestID: request.id, master: master, worker: worker,
                                               at: at(offset), properties: [:]) else {
            throw StoreError("test: request \(request.id) could not be started")
        }
        return build
    }
}
