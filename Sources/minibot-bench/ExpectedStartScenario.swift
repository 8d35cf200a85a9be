import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Synchronization

/// (m) issue 17: how far `expected_start` is from when a request really started. A builder
/// whose step sleeps 0.3 s builds 5 times (its typical duration), then 16 requests arrive
/// at once for 2 workers; each one's `expected_start` is read right away from
/// `/api/v2/buildrequests` and set against its build's `started_at` once all have run.
enum ExpectedStartScenario {
    static func run(runs: Int) async throws {
        var errors: [Double] = [], relative: [Double] = []
        for _ in 0..<runs {
            let dir = try TemporaryDirectory("bench-eta")
            let (master, workers) = try await Scenarios.cluster(dir, workers: 2, step: "\"sleep 0.3\"")
            let events = try await master.events()
            for _ in 0..<5 { _ = try await events.buildFinished(request: try await master.force("b")) }
            var ids: [Int64] = []
            for _ in 0..<16 { ids.append(try await master.force("b")) }
            let submittedAt = Date().timeIntervalSince1970
            let pending = try await master.client.get("api/v2/buildrequests?claimed=false")
            var expected: [Int64: Double] = [:]
            if case .array(let list)? = pending["buildrequests"] {
                for r in list {
                    if let id = r["buildrequestid"]?.intValue, let at = r["expected_start"]?.doubleValue { expected[Int64(id)] = at }
                }
            }
            let finished = Mutex(Set<Int64>())
            let wanted = Set(ids)
            _ = try await events.wait(timeout: 600, "all 16 builds to finish") { e in
                guard e["type"]?.stringValue == "build_finished", let r = e["buildrequestid"]?.intValue else { return false }
                return finished.withLock { $0.insert(Int64(r)); return $0.isSuperset(of: wanted) }
            }
            let builds = try await master.client.get("api/v2/builds?limit=100")
            if case .array(let list)? = builds["builds"] {
                for b in list {
                    guard let r = b["buildrequestid"]?.intValue, let guess = expected[Int64(r)],
                          let started = b["started_at"]?.doubleValue else { continue }
                    errors.append(abs(started - guess))
                    relative.append(abs(started - guess) / max(0.05, started - submittedAt))
                }
            }
            await Scenarios.shutdown(master, workers, dir)
        }
        let sorted = errors.sorted()
        let p90 = sorted.isEmpty ? Double.nan : sorted[min(sorted.count - 1, sorted.count * 9 / 10)]
        print("(m) expected_start against the real start, 16 requests on 2 workers, steps of 0.3 s: "
            + "error \(Sample(values: errors).format("s", digits: 3)), p90 \(String(format: "%.3f", p90)) s; "
            + "median \(String(format: "%.1f", Sample(values: relative).median * 100)) % of the request's wait "
            + "(\(errors.count) requests had an estimate; those started at once have none)")
    }
}
