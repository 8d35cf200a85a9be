import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Worker actions and the `prefer_idle` plugin, with real processes.
@Suite("Worker actions (integration)", .serialized)
struct WorkerActionIntegrationTests {
    @Test("stop lets the running build finish, then the worker leaves; kill drops it at once and the build is RETRY")
    func stopAndKill() async throws {
        try await DistributorCluster.with("dist-actions", workers: ["w1", "w2"]) { gates in
            """
            title: actions
            www: {port: 0, admin_token_file: admin.token}
            workers:
              - {name: w1, password: pw}
              - {name: w2, password: pw}
            schedulers:
              - force: {name: force, builders: [g, h]}
            builders:
              - name: g
                workers: [w1]
                steps:
                  - shell: {name: hold, command: \(gates.gate("g"))}
              - name: h
                workers: [w2]
                steps:
                  - shell: {name: hold, command: \(gates.gate("h"))}
            """
        } _: { cluster in
            let master = cluster.master
            let events = try await master.events()
            let rg = try await master.force("g")
            let rh = try await master.force("h")
            _ = try await events.buildStarted(request: rg)
            _ = try await events.buildStarted(request: rh)

            // Graceful stop: the worker stays until its build is done.
            let stop = try await cluster.minibot(["worker", "stop", "w1"] + cluster.masterArguments())
            #expect(stop.status == 0, "\(stop)")
            cluster.gates.open("g")
            let finished = try await events.buildFinished(request: rg)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            let detached = try await events.wait("w1 to detach") {
                $0["type"]?.stringValue == "worker_detached" && $0["worker"]?.stringValue == "w1"
            }
            #expect((detached["seq"]?.doubleValue ?? 0) > (finished["seq"]?.doubleValue ?? .infinity))
            #expect(await cluster.workers["w1"]?.waitForExit(timeout: 120) == 0)
            // Stopping it again is not "done": there is nothing to stop.
            let again = try await cluster.minibot(["worker", "stop", "w1"] + cluster.masterArguments())
            #expect(again.status == 1 && again.stderr.contains("not connected"), "\(again)")

            // Kill: gone now, with the step still holding; the build is retried later.
            let kill = try await cluster.minibot(["worker", "kill", "w2"] + cluster.masterArguments())
            #expect(kill.status == 0, "\(kill)")
            let killed = try await events.buildFinished(request: rh)
            #expect(killed["results_name"]?.stringValue == "RETRY", "\(killed)")
            _ = try await events.wait("w2 to detach") {
                $0["type"]?.stringValue == "worker_detached" && $0["worker"]?.stringValue == "w2"
            }
            _ = try await events.requestWaiting(rh, containing: "not connected")
            #expect(await cluster.workers["w2"]?.waitForExit(timeout: 120) != nil)
        }
    }

    @Test("prefer_idle spreads builds over two workers")
    func preferIdleSpreads() async throws {
        try await DistributorCluster.with("dist-idle", workers: ["w1", "w2"]) { _ in
            """
            title: prefer idle
            www: {port: 0, admin_token_file: admin.token}
            workers:
              - {name: w1, password: pw}
              - {name: w2, password: pw}
            schedulers:
              - force: {name: force, builders: [s]}
            builders:
              - name: s
                workers: [w1, w2]
                steps:
                  - shell: {name: quick, command: [\"true\"]}
            plugins:
              prefer_idle: {window: 1h}
            """
        } _: { cluster in
            let master = cluster.master
            let events = try await master.events()
            var counts: [String: Int] = [:]
            // One at a time: without the plugin each would go to w1 (both idle, name order).
            for _ in 0..<4 {
                let request = try await master.force("s")
                let started = try await events.buildStarted(request: request)
                counts[started["worker"]?.stringValue ?? "?", default: 0] += 1
                _ = try await events.buildFinished(request: request)
            }
            #expect(counts == ["w1": 2, "w2": 2])
            let w2 = try await master.client.get("api/v2/workers/w2")
            #expect(w2["workers"]?.array?.first?["prefer_idle"]?["builds_last_window"]?.doubleValue == 2)
        }
    }
}
