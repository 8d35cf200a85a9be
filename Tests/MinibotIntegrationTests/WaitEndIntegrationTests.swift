import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Truthful times with real processes: a flagged worker's pending request shows the flag's
/// expiry as `until` in `/api/v2`, and `minibot pending` prints it with a zone label.
@Suite("Truthful waiting times (integration)", .serialized)
struct WaitEndIntegrationTests {
    @Test("a flagged worker's pending request has the flag's expiry as until, and a summary by kind")
    func flagExpiryIsUntil() async throws {
        try await DistributorCluster.with("wait-end", workers: ["wa"]) { _ in
            """
            title: wait end
            www: {port: 0, admin_token_file: admin.token}
            workers:
              - {name: wa, password: pw}
            schedulers:
              - force: {name: force, builders: [b]}
            builders:
              - name: b
                workers: [wa]
                steps:
                  - shell: {name: quick, command: [\"true\"]}
            plugins:
              availability: {}
            """
        } _: { cluster in
            let master = cluster.master
            let events = try await master.events()
            let flag = try await master.client.post("api/v2/plugins/availability/workers/wa", .object([
                "state": .string("unavailable"), "reason": .string("disk swap"), "for": .string("2h"), "by": .string("anna"),
            ]))
            let expiry = try #require(flag["until"]?.doubleValue)

            let request = try await master.force("b")
            _ = try await events.requestWaiting(request, containing: "disk swap")
            let answer = try await master.client.get("api/v2/buildrequests?claimed=false&complete=false")
            #expect(answer["time_zone"]?.stringValue != nil)
            guard case .array(let list)? = answer["buildrequests"],
                  let r = list.first(where: { $0["buildrequestid"]?.doubleValue == Double(request) }),
                  case .array(let reasons)? = r["waiting_reasons"], case .array(let summary)? = r["waiting_summary"]
            else {
                Issue.record("no waiting request in \(answer)")
                return
            }
            // Both the builder-wide line and the worker's say when the flag expires.
            #expect(reasons.map { $0["until"]?.doubleValue } == [expiry, expiry], "\(reasons)")
            #expect(reasons.allSatisfy { $0["condition"] == .null }, "\(reasons)")
            let worker = try #require(reasons.first { $0["worker"]?.stringValue == "wa" })
            #expect(worker["kind"]?.stringValue == "unavailable")
            #expect(worker["reason"]?.stringValue == "worker wa unavailable: flagged by anna: disk swap")
            #expect(summary.count == 1)
            #expect(summary.first?["kind"]?.stringValue == "unavailable")
            #expect(summary.first?["workers"]?.doubleValue == 1)
            #expect(summary.first?["until"]?.doubleValue == expiry)

            // The CLI: the worker named once, the expiry with a zone label.
            let pending = try await cluster.minibot(["pending"] + cluster.masterArguments())
            #expect(pending.status == 0, "\(pending)")
            let line = pending.stdout.split(separator: "\n").first { $0.contains("flagged by anna") } ?? ""
            #expect(line.contains("worker wa unavailable: flagged by anna: disk swap, until "), "\(pending.stdout)")
            #expect(!line.contains("wa: worker wa"), "\(pending.stdout)")
            #expect(!line.contains("GMT"), "\(pending.stdout)")
            #expect(pending.stdout.contains("by kind: 1 unavailable (first until "), "\(pending.stdout)")

            // Lifting the flag starts the build.
            _ = try await master.client.post("api/v2/plugins/availability/workers/wa", .object(["state": .string("available")]))
            #expect(try await events.buildFinished(request: request)["results_name"]?.stringValue == "SUCCESS")
        }
    }
}
