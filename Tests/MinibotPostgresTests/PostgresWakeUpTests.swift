import Foundation
import MinibotCore
import MinibotPostgres
import MinibotStore
import MinibotTesting
import Testing

/// Issue 14: a master hears of the requests another master records (LISTEN/NOTIFY), as they
/// are committed; a rolled-back write sends nothing, and payloads are ids only.
@Suite(postgresAvailable, .postgresServer)
struct PostgresWakeUpTests {
    @Test func aBuildsetRecordedByOneStoreWakesTheListenerOfAnother() async throws {
        let server = try PostgresServer.require()
        let database = try await server.createDatabase()
        let a = try await PostgresStoreTests.open(server, database)
        let b = try await PostgresStoreTests.open(server, database)
        let (heard, hear) = AsyncStream<StoreWakeUp>.makeStream()
        let listener = Task { await b.listenForWakeUps { hear.yield($0) } }
        defer { listener.cancel() }
        var wakeUps = heard.makeAsyncIterator()
        // The first word after the LISTEN is in place: rescan (covers what came before).
        #expect(await wakeUps.next() == .rescan)

        let buildset = Buildset(reason: "force", schedulerName: "force", sourceStamp: SourceStamp(repository: "/r"),
                                submittedAt: Date(timeIntervalSince1970: 1_700_000_000))
        let (recorded, requests) = try await a.addBuildset(buildset, builders: ["x", "y"], priority: 0)
        #expect(await wakeUps.next() == .buildset(recorded.id))

        // A RETRY makes the request pending again: that is a wake-up too.
        let build = try #require(try await a.startBuild(requestID: requests[0].id, master: "A", worker: "w",
                                                        at: Date(), properties: [:]))
        #expect(try await a.finishBuild(id: build.id, results: .retry, stateString: "lost", at: Date(), properties: [:]))
        #expect(await wakeUps.next() == .request(requests[0].id))
    }

    @Test func payloadsAreReadStrictly() {
        for wakeUp in [StoreWakeUp.buildset(7), .request(9_223_372_036_854_775_807), .rescan, .events("master-a"),
                       .poll("repo")] {
            #expect(StoreWakeUp(payload: wakeUp.payload) == wakeUp)
        }
        for bad in ["", "b:", "b:0", "b:-1", "b:x", "x:1", "b:99999999999999999999", "rescan ", "b:1:2", "e:", "p:",
                    "e:" + String(repeating: "m", count: StoreWakeUp.maxNameBytes + 1),
                    String(repeating: "b:1", count: 100)] {
            #expect(StoreWakeUp(payload: bad) == nil, "\(bad)")
        }
    }
}
