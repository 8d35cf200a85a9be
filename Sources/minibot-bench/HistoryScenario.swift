import Foundation
import MinibotCore
import MinibotSQLite
import MinibotTesting

/// (k) history: the pending query, the list endpoints and a restart, with a short and a long
/// history of finished builds. The history goes straight into the master's database through
/// the store (`SQLiteStore.fillHistory`, one transaction), then a real master serves it.
enum HistoryScenario {
    static let builders = (0..<10).map { "b\($0)" }
    /// Requests left pending (no worker is connected), so the pending query has rows to return.
    static let pendingCount = 20

    static func config() -> String {
        """
        title: bench history
        www: {port: 0, admin_token_file: admin.token}
        workers:
          - {name: w1, password: pw}
        schedulers:
          - force: {name: force, builders: [\(builders.joined(separator: ", "))]}
        builders:
        \(builders.map { "  - {name: \($0), collapse_requests: false, workers: [w1], steps: [{shell: {name: test, command: [\"true\"]}}]}" }.joined(separator: "\n"))
        """
    }

    /// The endpoints timed: the pending query as the CLI asks it, then every list.
    static let endpoints = [
        "api/v2/buildrequests?claimed=false&complete=false",
        "api/v2/buildrequests?limit=100",
        "api/v2/builds?limit=100",
        "api/v2/builds?complete=false",
        "api/v2/builders/b3/builds?limit=100",
        "api/v2/buildsets?limit=50",
        "api/v2/changes?limit=100",
        "/",
        "/pending",
        "/builders/b3",
    ]

    static func run(runs: Int, sizes: [Int]) async throws {
        let dir = try TemporaryDirectory("bench-history")
        defer { dir.remove() }
        let home = dir.appending("master")
        let database = home.appendingPathComponent("state.sqlite").path
        var master = try await MasterFixture.start(config: config(), in: home)
        for i in 0..<pendingCount { _ = try await master.force(builders[i % builders.count]) }
        await master.stop()
        var filled = 0
        var figures: [(size: Int, restart: Double, rss: Double, store: Double, endpoints: [Double])] = []
        for size in sizes where size > filled {
            let t0 = Date()
            try await SQLiteStore(path: database).fillHistory(builds: size - filled, builders: builders, before: Date())
            print("(k) history: \(size) builds filled in \(String(format: "%.1f", Date().timeIntervalSince(t0))) s "
                + "(database \(String(format: "%.0f", Double(Scenarios.fileSize(database)) / 1e6)) MB)")
            filled = size
            var restarts: [Double] = [], rss: [Double] = []
            for _ in 0..<runs {
                let start = Date()
                master = try await MasterFixture.restart(in: home)
                _ = try await master.client.get("api/v2")
                restarts.append(Date().timeIntervalSince(start))
                rss.append(ProcessStats.memoryMiB(master.process.pid, "VmRSS"))
                await master.stop()
            }
            master = try await MasterFixture.restart(in: home)
            // The distributor's own query, straight on the store.
            let store = try SQLiteStore(path: database)
            var direct: [Double] = []
            for _ in 0..<(runs * 4) {
                let start = Date()
                let pending = try await store.pendingRequests()
                direct.append(Date().timeIntervalSince(start))
                if pending.count != pendingCount { print("    warning: \(pending.count) pending requests, not \(pendingCount)") }
            }
            var medians: [Double] = []
            for endpoint in endpoints {
                var times: [Double] = []
                _ = try await master.client.getText(endpoint)
                for _ in 0..<(runs * 4) {
                    let start = Date()
                    _ = try await master.client.getText(endpoint)
                    times.append(Date().timeIntervalSince(start))
                }
                medians.append(Sample(values: times).median)
            }
            await master.stop()
            figures.append((size, Sample(values: restarts).median, Sample(values: rss).median, Sample(values: direct).median, medians))
            print("    master restart until the API answers: \(Sample(values: restarts).format("s", digits: 3)); "
                + "RSS after it \(Sample(values: rss).format("MiB", digits: 1))   target ≤ 0.5 s at 1M, RSS unchanged")
        }
        guard !figures.isEmpty else { return }
        func row(_ name: String, _ values: [Double], scale: Double = 1000, unit: String = "ms") -> String {
            let cells = values.map { String(format: "%9.3f", $0 * scale) }.joined(separator: " ")
            let ratio = (values.last ?? 0) / max(values.first ?? 1, 1e-9)
            return "    \(name.padding(toLength: 52, withPad: " ", startingAt: 0)) \(cells) \(unit)  ×\(String(format: "%.2f", ratio))"
        }
        print("    medians at \(figures.map { "\($0.size)" }.joined(separator: " / ")) builds (last column: last ÷ first; target ≤ 1.2×)")
        print(row("store.pendingRequests() (the distributor's query)", figures.map(\.store)))
        for (index, endpoint) in endpoints.enumerated() {
            print(row("GET " + endpoint, figures.map { $0.endpoints[index] }))
        }
        print(row("restart until the API answers", figures.map(\.restart)))
        print(row("RSS after restart", figures.map(\.rss), scale: 1, unit: "MiB"))
    }
}
