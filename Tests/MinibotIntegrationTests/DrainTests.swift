import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Drains with real processes: `minibot worker drain NAME --deadline D` stops new builds on
/// the worker, ends the builds still running at the deadline RETRY (they run elsewhere), and
/// `undrain` lifts it.
@Suite("Worker drains (integration)", .serialized)
struct DrainTests {
    static func config(_ gates: DistributorGates) -> String {
        """
        title: drains
        www: {port: 0, admin_token_file: admin.token}
        workers:
          - {name: w1, password: pw}
          - {name: w2, password: pw}
        schedulers:
          - force: {name: force, builders: [d, one]}
        builders:
          - name: d
            collapse_requests: false
            workers: [w1, w2]
            steps:
              - shell: {name: long, command: \(gates.gate("d"))}
          - name: one
            workers: [w1]
            steps:
              - shell: {name: quick, command: [\"true\"]}
        """
    }

    static func first(_ list: JSONValue?) -> JSONValue? {
        guard case .array(let items)? = list else { return nil }
        return items.first
    }

    @Test("a long step on a drained worker ends RETRY at the deadline and the request rebuilds on another worker")
    func deadlineRetriesElsewhere() async throws {
        try await DistributorCluster.with("drain-deadline", workers: ["w1", "w2"], config: Self.config) { cluster in
            let master = cluster.master
            let events = try await master.events()
            // Both idle: the first by name, w1, takes it.
            let request = try await master.force("d")
            let first = try await events.buildStarted(request: request)
            #expect(first["worker"]?.stringValue == "w1", "\(first)")

            // A drain with a deadline far off: shown, and the build runs on.
            let drain = try await cluster.minibot(["worker", "drain", "w1", "--deadline", "1h", "--as", "ops"]
                                                  + cluster.masterArguments())
            #expect(drain.status == 0, "\(drain)")
            #expect(drain.stdout.contains("draining"), "\(drain)")
            let workers = try await master.client.get("api/v2/workers/w1")
            let shown = Self.first(workers["workers"])?["drain"]
            #expect(shown?["requested_by"]?.stringValue == "ops", "\(workers)")
            #expect((shown?["deadline"]?.doubleValue ?? 0) > (shown?["requested_at"]?.doubleValue ?? .infinity), "\(workers)")
            #expect(shown?["drained"] == .bool(false), "\(workers)")

            // Drained again with a deadline that has passed at once (no waiting on the wall
            // clock): the step never ends by itself, so the deadline ends the build RETRY...
            let now = try await cluster.minibot(["worker", "drain", "w1", "--deadline", "0s", "--as", "ops"]
                                                + cluster.masterArguments())
            #expect(now.status == 0, "\(now)")
            let retried = try await events.buildFinished(request: request)
            #expect(retried["results_name"]?.stringValue == "RETRY", "\(retried)")
            let retriedSeq = retried["seq"]?.doubleValue ?? 0
            // ...and the request runs again, on w2.
            let again = try await events.wait("request \(request) to start again") {
                $0["type"]?.stringValue == "build_started" && $0["buildrequestid"]?.doubleValue == Double(request)
                    && ($0["seq"]?.doubleValue ?? 0) > retriedSeq
            }
            #expect(again["worker"]?.stringValue == "w2", "\(again)")
            cluster.gates.open("d")
            let done = try await events.wait("request \(request) to succeed") {
                $0["type"]?.stringValue == "build_finished" && $0["buildrequestid"]?.doubleValue == Double(request)
                    && ($0["seq"]?.doubleValue ?? 0) > retriedSeq
            }
            #expect(done["results_name"]?.stringValue == "SUCCESS", "\(done)")
            let page = try await master.client.getText("workers")
            #expect(page.contains("drained (by ops)"), "\(page)")
        }
    }

    @Test("a drained worker takes no new builds and says so; undrain lets the request start")
    func undrainStartsWaitingRequest() async throws {
        try await DistributorCluster.with("drain-undrain", workers: ["w1", "w2"], config: Self.config) { cluster in
            let master = cluster.master
            let events = try await master.events()
            let drain = try await cluster.minibot(["worker", "drain", "w1"] + cluster.masterArguments())
            #expect(drain.status == 0, "\(drain)")
            let request = try await master.force("one")
            _ = try await events.requestWaiting(request, containing: "draining")
            let reasons = try await master.waitingReasons(request)
            #expect(reasons.contains { $0.contains("worker w1 draining (no new builds") }, "\(reasons)")

            let bad = try await cluster.minibot(["worker", "drain", "w1", "--deadline", "forever"] + cluster.masterArguments())
            #expect(bad.status == 2, "\(bad)")
            // The API refuses what DurationText refuses, with a JSON reason (the client reads it).
            for deadline in ["1e300s", "inf", "367d", "-5s"] {
                do {
                    _ = try await master.client.post("api/v2/workers/w1/drain", .object(["deadline": .string(deadline)]))
                    Issue.record("deadline \(deadline) was accepted")
                } catch let error as ClientError {
                    guard case .http(let status, let message) = error else {
                        Issue.record("\(error)")
                        continue
                    }
                    #expect(status == 400 && message.contains("bad 'deadline'"), "\(status) \(message)")
                }
            }

            // (This master runs without the availability plugin: the CLI says how to enable it.)
            let show = try await cluster.minibot(["availability", "show"] + cluster.masterArguments())
            #expect(show.status == 1 && show.stderr.contains("availability: {}"), "\(show)")

            let undrain = try await cluster.minibot(["worker", "undrain", "w1"] + cluster.masterArguments())
            #expect(undrain.status == 0, "\(undrain)")
            let finished = try await events.buildFinished(request: request)
            #expect(finished["results_name"]?.stringValue == "SUCCESS", "\(finished)")
            let shown = try await master.client.get("api/v2/workers/w1")
            #expect(Self.first(shown["workers"])?["drain"] == .null, "\(shown)")
        }
    }
}
