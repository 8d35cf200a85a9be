import Foundation
import Logging
import MinibotAgent
import MinibotProtocol
import Testing

/// The agent on a real unix socket with two real clients, on the system clock with short
/// timeouts. Nothing sleeps to wait: every step waits for its event, with a generous limit.
@Suite(.serialized) struct AgentSocketTests {
    @Test func offersClaimsAndLeasesFlowEndToEndAndADeadClientsLeaseExpires() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-agent-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("agent.sock").path
        let loadFile = directory.appendingPathComponent("loadavg").path
        try "0.10 0.10 0.10 1/100 1234\n".write(toFile: loadFile, atomically: true, encoding: .utf8)

        var configuration = AgentConfiguration(socket: .init(path: socket))
        // A TTL of a few seconds: the client renews every third of it, and under a loaded
        // test run a 1 s TTL let a renewal arrive late and the lease expire; 4 s did too once
        // the two-master PostgreSQL integration tests ran beside it (a renewal over 2.7 s late).
        // No step waits for an offer to expire: a long offer timeout only keeps a claim that
        // comes late on a loaded machine (a CI run took over 5 s between offer and claim) valid.
        configuration.arbiter = .init(slots: 1, maxLoad: 4, settle: 0, offerTimeout: 60, leaseTTL: 8)
        configuration.load = .init(file: loadFile, sampleInterval: 0.2)
        let agent = Agent(configuration: configuration)
        let client1 = AgentClient(configuration: .init(socketPath: socket, clientName: "w1", initialBackoff: 0.05, maxBackoff: 0.2))
        let client2 = AgentClient(configuration: .init(socketPath: socket, clientName: "w2", initialBackoff: 0.05, maxBackoff: 0.2))
        let events1 = EventLog(client1.events)
        let events2 = EventLog(client2.events)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await agent.run() }
            await agent.waitUntilListening()
            #expect((try FileManager.default.attributesOfItem(atPath: socket)[.posixPermissions] as? Int) == 0o660)
            let run1 = Task { try await client1.run() }
            group.addTask { try await client2.run() }
            _ = try await events1.next { if case .connected = $0 { true } else { false } }
            _ = try await events2.next { if case .connected = $0 { true } else { false } }

            // A first start (no lease ledger beside the socket) offers at once.
            #expect(await agent.status().recoveringUntil == nil)
            try await client1.subscribe(.init(name: "b1", master: "M1", worker: "w1", builder: "B"))
            let offered = try await events1.next { if case .offered = $0 { true } else { false } }
            guard case .offered(let offer) = offered else { Issue.record("expected an offer, got \(offered)"); return }
            let lease = try await client1.claim(offer, build: "12")
            #expect(lease.master == "M1" && lease.build == "12")

            // While client 1 renews, client 2 waits and is told why.
            try await client2.subscribe(.init(name: "b2", master: "M2", worker: "w2", builder: "B"))
            let waiting = try await events2.next { if case .waiting = $0 { true } else { false } }
            #expect(waiting == .waiting(.init(subscription: "b2", reason: "host slot busy (build 12 of master M1)", until: nil)))
            // Renewals keep the lease across several TTLs: the status still shows it after
            // client 1 has renewed twice (each renewal moves expiresAt).
            let first = try #require(await agent.status().leases.first?.expiresAt)
            for _ in 0..<2 {
                _ = try await events1.next { if case .leaseRenewed = $0 { true } else { false } }
            }
            let renewed = try #require(await agent.status().leases.first?.expiresAt)
            #expect(renewed > first)
            #expect(await agent.status().leases.count == 1)

            // Client 1 dies without releasing: its lease expires and client 2 gets the slot.
            run1.cancel()
            let offered2 = try await events2.next { if case .offered = $0 { true } else { false } }
            guard case .offered(let offer2) = offered2 else { Issue.record("expected an offer, got \(offered2)"); return }
            let lease2 = try await client2.claim(offer2, build: "13")
            #expect(lease2.token > lease.token)
            let status = try await AgentStatusQuery.fetch(socketPath: socket)
            #expect(status.leases.map(\.build) == ["13"])
            #expect(AgentStatusText.render(status).contains("build 13"))

            // The release is acknowledged, so the agent has already let the slot go.
            await client2.release(lease2)
            #expect(await agent.status().leases.isEmpty)
            group.cancelAll()
        }
    }

    /// The lease ledger: an agent restarted while a build holds a lease recovers (the build
    /// re-registers its lease, nothing else is offered meanwhile); one restarted with no lease
    /// out offers at once.
    @Test func aRestartRecoversOnlyWhenLeasesWereOut() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-agent-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("agent.sock").path
        var configuration = AgentConfiguration(socket: .init(path: socket))
        configuration.arbiter = .init(slots: 1, maxLoad: 1000, settle: 0, offerTimeout: 5, leaseTTL: 4)
        let loadFile = directory.appendingPathComponent("loadavg").path
        try "0.10 0.10 0.10 1/100 1234\n".write(toFile: loadFile, atomically: true, encoding: .utf8)
        configuration.load = .init(file: loadFile, sampleInterval: 0.2)
        let client = AgentClient(configuration: .init(socketPath: socket, clientName: "w1", initialBackoff: 0.05, maxBackoff: 0.2))
        let events = EventLog(client.events)
        let clientRun = Task { try await client.run() }
        defer { clientRun.cancel() }

        // First run: a lease is granted, and the agent stops with it out.
        let first = Agent(configuration: configuration)
        let firstRun = Task { try await first.run() }
        await first.waitUntilListening()
        _ = try await events.next { if case .connected = $0 { true } else { false } }
        try await client.subscribe(.init(name: "b1", master: "M1", worker: "w1", builder: "B"))
        let offered = try await events.next { if case .offered = $0 { true } else { false } }
        guard case .offered(let offer) = offered else { Issue.record("expected an offer, got \(offered)"); return }
        let lease = try await client.claim(offer, build: "7")
        firstRun.cancel()
        _ = try? await firstRun.value
        #expect(FileManager.default.fileExists(atPath: socket + ".leases"))

        // Second run: recovering; the client re-registers its lease on reconnecting.
        let second = Agent(configuration: configuration)
        let secondRun = Task { try await second.run() }
        await second.waitUntilListening()
        #expect(await second.status().recoveringUntil != nil)
        _ = try await events.next { if case .connected = $0 { true } else { false } }
        _ = try await events.next { if case .leaseRenewed = $0 { true } else { false } }
        #expect(await second.status().leases.map(\.build) == ["7"])
        await client.release(lease)
        #expect(await second.status().leases.isEmpty)
        secondRun.cancel()
        _ = try? await secondRun.value

        // Third run: nothing was out, so it offers at once.
        let third = Agent(configuration: configuration)
        let thirdRun = Task { try await third.run() }
        await third.waitUntilListening()
        #expect(await third.status().recoveringUntil == nil)
        thirdRun.cancel()
        _ = try? await thirdRun.value
    }
}

/// Buffers a client's events so that a test can wait for the next one that matches.
final class EventLog: Sendable {
    private let stream: AsyncStream<AgentClient.Event>
    private let iterator: IteratorBox

    init(_ stream: AsyncStream<AgentClient.Event>) {
        self.stream = stream
        self.iterator = IteratorBox(stream.makeAsyncIterator())
    }

    /// The next event matching `predicate`, skipping others; fails after `timeout` seconds.
    func next(timeout: TimeInterval = 20, _ predicate: @escaping @Sendable (AgentClient.Event) -> Bool) async throws -> AgentClient.Event {
        try await withThrowingTaskGroup(of: AgentClient.Event?.self) { group in
            group.addTask {
                while let event = await self.iterator.next() {
                    if predicate(event) { return event }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let first else { throw TimedOut() }
            return first
        }
    }
}

/// The stream's iterator, confined to an actor so that successive waits can share it.
actor IteratorBox {
    private var iterator: AsyncStream<AgentClient.Event>.Iterator
    init(_ iterator: AsyncStream<AgentClient.Event>.Iterator) { self.iterator = iterator }
    func next() async -> AgentClient.Event? {
        // One waiter at a time (EventLog.next is awaited in sequence), so copy-and-write-back is safe.
        var copy = iterator
        let event = await copy.next(isolation: self)
        iterator = copy
        return event
    }
}

struct TimedOut: Error {}
