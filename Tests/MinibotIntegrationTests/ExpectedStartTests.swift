import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Expected starts with real processes: a worker busy with a build of a builder whose history
/// is known gives the requests waiting behind it an `expected_start` and its explanation.
@Suite("Expected start (integration)", .serialized)
struct ExpectedStartTests {
    @Test("a busy worker with a timed history: the waiting requests expect it to free, one after the other")
    func busyWorkerWithHistory() async throws {
        try await DistributorCluster.with("expected-start", workers: ["wa"]) { gates in
            """
            title: expected start
            www: {port: 0, admin_token_file: admin.token}
            workers:
              - {name: wa, password: pw}
            schedulers:
              - force: {name: force, builders: [b]}
            builders:
              - name: b
                workers: [wa]
                steps:
                  - shell: {name: timed, command: "sleep %(prop:take:-0)s"}
                  - shell: {name: held, command: "[ %(prop:hold:-yes)s = no ] || { \(gates.gate("held").dropFirst().dropLast()); }"}
            """
        } _: { cluster in
            let master = cluster.master
            let events = try await master.events()
            // The history: one successful build that took about 3 s.
            let first = try await master.force("b", properties: ["take": "3", "hold": "no"])
            let done = try await events.buildFinished(request: first)
            #expect(done["results_name"]?.stringValue == "SUCCESS")
            let history = try await master.build(try #require(done["buildid"]?.int64))
            let typical = try #require(history["complete_at"]?.doubleValue) - (try #require(history["started_at"]?.doubleValue))

            // The worker is busy with a held build; two more wait behind it.
            let running = try await master.force("b")
            let started = try await events.buildStarted(request: running)
            let runningBuild = try await master.build(try #require(started["buildid"]?.int64))
            let runningStart = try #require(runningBuild["started_at"]?.doubleValue)
            let second = try await master.force("b", properties: ["hold": "no"])
            let third = try await master.force("b", properties: ["hold": "no"])
            _ = try await events.requestWaiting(third, containing: "busy")

            let answer = try await master.client.get("api/v2/buildrequests?claimed=false&complete=false")
            let list = try #require(answer["buildrequests"]?.array)
            func request(_ id: Int64) throws -> JSONValue {
                try #require(list.first { $0["buildrequestid"]?.int64 == id }, "\(answer)")
            }
            let next = try request(second), last = try request(third)
            let nextStart = try #require(next["expected_start"]?.doubleValue, "\(next)")
            let lastStart = try #require(last["expected_start"]?.doubleValue, "\(last)")
            let nextWhy = next["expected_start_reason"]?.stringValue ?? ""
            let lastWhy = last["expected_start_reason"]?.stringValue ?? ""
            if abs(nextStart - (runningStart + typical)) < 0.01 {
                // The held build is expected to end a typical duration after it started.
                #expect(nextWhy.hasPrefix("wa frees in ~"), "\(next)")
                #expect(lastWhy.hasPrefix("after 1 build ahead on wa; wa frees in ~"), "\(last)")
            } else {
                // It already ran past its typical duration: taken to end now.
                #expect(nextStart > runningStart + typical, "\(next)")
                #expect(nextWhy == "wa's build runs past its typical duration", "\(next)")
                #expect(lastWhy == "after 1 build ahead on wa; wa's build runs past its typical duration", "\(last)")
            }
            // The one behind waits one more typical build.
            #expect(abs(lastStart - (nextStart + typical)) < 0.01, "\(list)")

            // The CLI says the same.
            let pending = try await cluster.minibot(["pending"] + cluster.masterArguments())
            #expect(pending.status == 0, "\(pending)")
            #expect(pending.stdout.contains("expected start "), "\(pending.stdout)")
            #expect(pending.stdout.contains(": after 1 build ahead on wa; "), "\(pending.stdout)")

            // The page has the column.
            let page = try await master.client.getText("pending")
            #expect(page.contains("<th>expected start</th>"), "\(page)")
            #expect(page.contains("after 1 build ahead on wa; "), "\(page)")

            cluster.gates.open("held")
            #expect(try await events.buildFinished(request: third)["results_name"]?.stringValue == "SUCCESS")
        }
    }
}
