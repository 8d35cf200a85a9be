import Foundation
import MinibotCore
import MinibotPostgres
import MinibotStore
import MinibotTesting
import Testing

/// Issue 14: each master's events in the database, read by the others by their positions
/// (one number per master), so any master shows any build live.
@Suite(postgresAvailable, .postgresServer)
struct PostgresEventsTests {
    static func event(_ n: Int, _ type: String = "step_log") -> SharedEvent {
        SharedEvent(time: Date(timeIntervalSince1970: 1_700_000_000 + Double(n)), type: type,
                    fields: ["buildid": .number(Double(n)), "state": .string("step \(n) ✓"), "ok": .bool(true)])
    }

    @Test func aMastersEventsAreReadByTheOthersInOrderFromTheirPositions() async throws {
        let server = try PostgresServer.require()
        let database = try await server.createDatabase()
        let a = try await PostgresStoreTests.open(server, database)
        let b = try await PostgresStoreTests.open(server, database)
        let leaseA = try await a.registerMaster(name: "A", configHash: nil, lease: 15)
        _ = try await b.registerMaster(name: "B", configHash: nil, lease: 15)
        let start = try await b.eventPositions()
        #expect(start == [leaseA.id: 0, try #require(try await b.masters().first { $0.name == "B" }).id: 0])

        #expect(try await a.appendEvents((1...3).map { Self.event($0) }, master: "A"))
        let first = try await b.events(after: start, excluding: "B", limit: 100)
        #expect(first.map(\.seq) == [1, 2, 3])
        #expect(first.allSatisfy { $0.master == "A" && $0.masterID == leaseA.id })
        #expect(first.map(\.fields) == (1...3).map { Self.event($0).fields })
        #expect(first.map(\.time) == (1...3).map { Self.event($0).time })
        // A master does not read its own.
        #expect(try await a.events(after: start, excluding: "A", limit: 100).isEmpty)

        var positions = start
        for e in first { positions[e.masterID] = e.seq }
        #expect(try await b.eventPositions()[leaseA.id] == 3)
        #expect(try await a.appendEvents([Self.event(4, "build_finished")], master: "A"))
        let next = try await b.events(after: positions, excluding: "B", limit: 100)
        #expect(next.map(\.seq) == [4] && next.first?.type == "build_finished")
        #expect(try await a.appendEvents([], master: "A"))
    }

    /// Two writers, a page smaller than what each wrote: each master's part of a page is the
    /// start of what follows its position, so reading on from the page's last numbers misses
    /// nothing. A master registered after the reader's start is read from its first event.
    @Test func aPageHoldsNoHoleInAnyMastersStream() async throws {
        let server = try PostgresServer.require()
        let database = try await server.createDatabase()
        let a = try await PostgresStoreTests.open(server, database)
        _ = try await a.registerMaster(name: "A", configHash: nil, lease: 15)
        _ = try await a.registerMaster(name: "R", configHash: nil, lease: 15)
        let start = try await a.eventPositions()
        _ = try await a.registerMaster(name: "B", configHash: nil, lease: 15)
        #expect(try await a.appendEvents((1...5).map { Self.event($0) }, master: "A"))
        #expect(try await a.appendEvents((1...5).map { Self.event($0) }, master: "B"))

        var positions = start, seen: [String: [Int64]] = [:]
        while true {
            let page = try await a.events(after: positions, excluding: "R", limit: 2)
            if page.isEmpty { break }
            #expect(page.count <= 4)
            for e in page {
                positions[e.masterID] = e.seq
                seen[e.master, default: []].append(e.seq)
            }
        }
        #expect(seen == ["A": [1, 2, 3, 4, 5], "B": [1, 2, 3, 4, 5]])
    }

    /// A master declared dead appends nothing (and wakes nobody); once registered again its
    /// stream goes on from its last number. Pruning keeps each master's newest events.
    @Test func aDeadMasterAppendsNothingAndPruningKeepsTheNewest() async throws {
        let server = try PostgresServer.require()
        let database = try await server.createDatabase()
        let a = try await PostgresStoreTests.open(server, database)
        #expect(try await !a.appendEvents([Self.event(1)], master: "A"), "not registered")
        let lease = try await a.registerMaster(name: "A", configHash: nil, lease: 15)
        #expect(try await a.appendEvents((1...4).map { Self.event($0) }, master: "A"))
        try await server.sql("UPDATE masters SET lease_expires_at = now() - interval '1 second' WHERE name = 'A'",
                             database: database)
        #expect(try await a.reapExpiredMasters() == ["A"])
        #expect(try await !a.appendEvents([Self.event(5)], master: "A"))
        #expect(try await a.eventPositions()[lease.id] == 4)

        _ = try await a.registerMaster(name: "A", configHash: nil, lease: 15)
        #expect(try await a.appendEvents([Self.event(6)], master: "A"))
        #expect(try await a.events(after: [:], excluding: "", limit: 100).map(\.seq) == [1, 2, 3, 4, 5])
        #expect(try await a.pruneEvents(keeping: 2) == 3)
        #expect(try await a.events(after: [:], excluding: "", limit: 100).map(\.seq) == [4, 5])
        #expect(try await a.pruneEvents(keeping: 2) == 0)
    }

    @Test func anAppendWakesTheOtherMasters() async throws {
        let server = try PostgresServer.require()
        let database = try await server.createDatabase()
        let a = try await PostgresStoreTests.open(server, database)
        let b = try await PostgresStoreTests.open(server, database)
        _ = try await a.registerMaster(name: "A", configHash: nil, lease: 15)
        let (heard, hear) = AsyncStream<StoreWakeUp>.makeStream()
        let listener = Task { await b.listenForWakeUps { hear.yield($0) } }
        defer { listener.cancel() }
        var wakeUps = heard.makeAsyncIterator()
        #expect(await wakeUps.next() == .rescan)
        #expect(try await a.appendEvents([Self.event(1)], master: "A"))
        #expect(await wakeUps.next() == .events("A"))
    }
}
