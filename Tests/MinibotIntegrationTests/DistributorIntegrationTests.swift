import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// The distributor with real processes: locks, pause and restart recovery.
@Suite("Distributor (integration)", .serialized)
struct DistributorIntegrationTests {
    @Test("a lock shared by two builders serialises them while a third builder keeps running")
    func sharedLockSerialises() async throws {
        try await DistributorCluster.with("dist-locks", workers: ["w1", "w2", "w3"]) { gates in
            """
            title: locks
            www: {port: 0, admin_token_file: admin.token}
            workers:
              - {name: w1, password: pw}
              - {name: w2, password: pw}
              - {name: w3, password: pw}
            schedulers:
              - force: {name: force, builders: [a, b, c]}
            locks:
              - {name: deploy, kind: master, max_count: 1}
            builders:
              - name: a
                workers: [w1, w2]
                locks: [{name: deploy, access: exclusive}]
                steps:
                  - shell: {name: hold, command: \(gates.gate("a"))}
              - name: b
                workers: [w1, w2]
                locks: [{name: deploy, access: exclusive}]
                steps:
                  - shell: {name: hold, command: \(gates.gate("b"))}
              - name: c
                workers: [w3]
                steps:
                  - shell: {name: hold, command: \(gates.gate("c"))}
            """
        } _: { cluster in
            let master = cluster.master
            let events = try await master.events()

            let ra = try await master.force("a")
            let startedA = try await events.buildStarted(request: ra)
            let rb = try await master.force("b")
            let rc = try await master.force("c")
            _ = try await events.buildStarted(request: rc)

            // b waits for the lock, not for a worker (one is free), and says who holds it.
            let numberA = try #require(startedA["number"]?.int64)
            _ = try await events.requestWaiting(rb, containing: "waiting for lock deploy")
            let reasons = try await master.waitingReasons(rb)
            #expect(reasons.first?.contains("waiting for lock deploy (held by build \(numberA)") == true, "\(reasons)")
            let other = startedA["worker"]?.stringValue == "w1" ? "w2" : "w1"
            let idle = try await master.client.get("api/v2/workers/\(other)")
            #expect(idle["workers"]?.array?.first?["running_builds"]?.array?.isEmpty == true,
                    "no worker is held while b waits for the lock")

            cluster.gates.open("a")
            _ = try await events.buildFinished(request: ra)
            _ = try await events.buildStarted(request: rb)
            cluster.gates.open("b")
            _ = try await events.buildFinished(request: rb)
            cluster.gates.open("c")
            _ = try await events.buildFinished(request: rc)

            let a = try await buildOf(request: ra, events: events, master: master)
            let b = try await buildOf(request: rb, events: events, master: master)
            let c = try await buildOf(request: rc, events: events, master: master)
            for build in [a, b, c] { #expect(build.results == BuildResult.success.rawValue) }
            #expect(b.start >= a.end, "a and b must never overlap: a \(a), b \(b)")
            #expect(c.start < a.end && c.end > b.start, "c ran alongside both: a \(a), b \(b), c \(c)")
        }
    }

    @Test("a step waiting for a step lock says who holds it and a stop ends the wait")
    func stepLockWait() async throws {
        try await DistributorCluster.with("dist-steplock", workers: ["w1", "w2"]) { gates in
            """
            title: step locks
            www: {port: 0, admin_token_file: admin.token}
            workers:
              - {name: w1, password: pw}
              - {name: w2, password: pw}
            schedulers:
              - force: {name: force, builders: [a, b]}
            locks:
              - {name: db, kind: master}
            builders:
              - name: a
                workers: [w1]
                steps:
                  - shell: {name: migrate, command: \(gates.gate("a")), locks: [{name: db, access: exclusive}]}
              - name: b
                workers: [w2]
                steps:
                  - shell: {name: migrate, command: [\"true\"], locks: [{name: db, access: exclusive}]}
                  - shell: {name: after, command: [\"true\"]}
            """
        } _: { cluster in
            let master = cluster.master
            let events = try await master.events()
            let ra = try await master.force("a")
            let startedA = try await events.buildStarted(request: ra)
            _ = try await events.wait("a's step to start") { $0["type"]?.stringValue == "step_started" && $0["buildid"] == startedA["buildid"] }
            let rb = try await master.force("b")
            let startedB = try await events.buildStarted(request: rb)
            let waiting = try await events.wait("b's step to wait for the lock") {
                $0["type"]?.stringValue == "step_waiting_for_lock" && $0["buildid"] == startedB["buildid"]
            }
            let numberA = try #require(startedA["number"]?.int64)
            #expect(waiting["reason"]?.stringValue?.contains("waiting for lock db (held by build \(numberA) of a)") == true,
                    "\(waiting)")

            let buildB = try #require(startedB["buildid"]?.int64)
            let stop = try await cluster.minibot(["stop-build", String(buildB), "--reason", "not now"] + cluster.masterArguments())
            #expect(stop.status == 0, "\(stop)")
            let stopped = try await events.buildFinished(request: rb)
            #expect(stopped["results_name"]?.stringValue == "CANCELLED", "\(stopped)")
            let b = try await master.build(buildB)
            #expect(b["steps"]?.array?.isEmpty == true, "no step of b ran: \(b)")

            cluster.gates.open("a")
            #expect(try await events.buildFinished(request: ra)["results_name"]?.stringValue == "SUCCESS")
        }
    }

    @Test("a paused worker keeps a forced request pending with its reason; unpausing starts it; the pause survives a restart")
    func pauseUnpause() async throws {
        try await DistributorCluster.with("dist-pause", workers: ["w1"]) { _ in
            """
            title: pause
            www: {port: 0, admin_token_file: admin.token}
            workers:
              - {name: w1, password: pw}
            schedulers:
              - force: {name: force, builders: [p]}
            builders:
              - name: p
                workers: [w1]
                steps:
                  - shell: {name: quick, command: [\"true\"]}
            """
        } _: { cluster in
            var master = cluster.master
            let pause = try await cluster.minibot(["worker", "pause", "w1", "--reason", "disk full"] + cluster.masterArguments())
            #expect(pause.status == 0, "\(pause)")
            var events = try await master.events()
            let request = try await master.force("p")
            _ = try await events.requestWaiting(request, containing: "worker w1 paused: disk full")
            #expect(try await master.waitingReasons(request).contains { $0.contains("worker w1 paused: disk full") })
            let pending = try await cluster.minibot(["pending"] + cluster.masterArguments())
            #expect(pending.status == 0)
            #expect(pending.stdout.contains("WHY IT WAITS") && pending.stdout.contains("\(request)")
                    && pending.stdout.contains("worker w1 paused: disk full"), "\(pending.stdout)")

            // Restart the master on the same port: the worker comes back, still paused.
            master = try await cluster.restartMaster(crash: false)
            events = EventFollower.fromBeginning(client: master.client)
            try await events.workerAttached("w1")
            _ = try await events.requestWaiting(request, containing: "worker w1 paused: disk full")
            let w1 = try await master.client.get("api/v2/workers/w1")
            #expect(w1["workers"]?.array?.first?["paused"] == .bool(true))
            #expect(w1["workers"]?.array?.first?["pause_reason"]?.stringValue == "disk full")

            let unpause = try await cluster.minibot(["worker", "unpause", "w1"] + cluster.masterArguments(master))
            #expect(unpause.status == 0, "\(unpause)")
            _ = try await events.buildStarted(request: request)
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
        }
    }

    @Test("a master killed mid-build ends that build as RETRY at its restart and reruns the request")
    func restartRecovery() async throws {
        try await DistributorCluster.with("dist-restart", workers: ["w1"]) { gates in
            """
            title: restart
            www: {port: 0, admin_token_file: admin.token}
            workers:
              - {name: w1, password: pw}
            schedulers:
              - force: {name: force, builders: [k]}
            builders:
              - name: k
                workers: [w1]
                steps:
                  - shell: {name: hold, command: \(gates.gate("k"))}
            """
        } _: { cluster in
            var master = cluster.master
            var events = try await master.events()
            let request = try await master.force("k")
            let first = try #require(try await events.buildStarted(request: request)["buildid"]?.int64)

            master = try await cluster.restartMaster(crash: true)
            events = EventFollower.fromBeginning(client: master.client)
            let second = try await events.buildStarted(request: request)
            #expect(second["buildid"]?.int64 != first)
            let interrupted = try await master.build(first)
            #expect(interrupted["results"]?.doubleValue == Double(BuildResult.retry.rawValue), "\(interrupted)")

            cluster.gates.open("k")
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            let answer = try await master.client.get("api/v2/buildrequests?complete=true")
            let done = answer["buildrequests"]?.array?.first { $0["buildrequestid"]?.int64 == request }
            #expect(done?["results"]?.doubleValue == Double(BuildResult.success.rawValue))
        }
    }
}

/// A finished build's interval on the master's clock.
struct BuildSpan: CustomStringConvertible {
    var start: Double
    var end: Double
    var results: Int?

    var description: String { "[\(start), \(end)] results \(results.map(String.init) ?? "-")" }
}

func buildOf(request: Int64, events: EventFollower, master: MasterFixture) async throws -> BuildSpan {
    let finished = try await events.buildFinished(request: request)
    let build = try await master.build(try #require(finished["buildid"]?.int64))
    return BuildSpan(start: try #require(build["started_at"]?.doubleValue),
                     end: try #require(build["complete_at"]?.doubleValue),
                     results: build["results"]?.doubleValue.map { Int($0) })
}
