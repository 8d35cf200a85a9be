import AsyncHTTPClient
import Foundation
import MinibotClient
import MinibotCore
import MinibotSQLite
import MinibotTesting
import NIOCore

/// (l) issue 15, `bench/web`: the pages with a long history. Each page is timed (client
/// round trip on loopback, so the server's time plus ~0.1 ms) and its SQL statements counted
/// (`minibot_database_statements_total` before and after), at 1,000 and at 40,000 builds of
/// history: a page whose count grows with the history runs a query per row. Then the build
/// page of a step that printed 50 MB (what it sends), and the master's CPU per build with 100
/// open event streams against none. The log-line-to-DOM latency is measured in a real browser
/// by `scripts/browser-test`, which prints it.
enum WebScenario {
    static let history = (0..<10).map { "h\($0)" }
    static let logBytes = 50 * 1024 * 1024

    static func config() -> String {
        let all = ["b", "big"] + history
        return """
        title: bench web
        www: {port: 0, admin_token_file: admin.token}
        workers:
        \((1...4).map { "  - {name: w\($0), password: pw}" }.joined(separator: "\n"))
        schedulers:
          - force: {name: force, builders: [\(all.joined(separator: ", "))]}
        builders:
          - {name: b, collapse_requests: false, workers: [w1, w2, w3, w4], steps: [{shell: {name: step, command: ["true"]}}]}
          - name: big
            workers: [w1]
            steps:
              - shell: {name: print, command: "yes \(String(repeating: "0123456789", count: 10)) | head -c \(logBytes)"}
        \(history.map { "  - {name: \($0), workers: [w1], steps: [{shell: {name: test, command: [\"true\"]}}]}" }.joined(separator: "\n"))
        """
    }

    static func run(runs: Int, sizes: [Int] = [1_000, 40_000], streams: Int = 100, builds: Int = 200) async throws {
        let dir = try TemporaryDirectory("bench-web")
        defer { dir.remove() }
        let home = dir.appending("master")
        let extra = ["--max-long-polls-per-client", String(streams + 8)]
        var master = try await MasterFixture.start(config: config(), in: home, extraArguments: extra)
        var workers = try await attach(master, dir)
        let events = try await master.events()
        let finished = try await events.buildFinished(request: try await master.force("big"), timeout: 600)
        let bigID = finished["buildid"]?.intValue ?? 0
        for w in workers { await w.stop() }
        await master.stop()

        let database = home.appendingPathComponent("state.sqlite").path
        var filled = 0
        var rows: [(size: Int, figures: [(path: String, seconds: Double, statements: Double, bytes: Int)])] = []
        // The big log's page the first time after a restart, before its tail is cached.
        var firstViews: [Double] = []
        for size in sizes where size > filled {
            try await SQLiteStore(path: database).fillHistory(builds: size - filled, builders: history, before: Date())
            filled = size
            master = try await MasterFixture.restart(in: home, extraArguments: extra)
            workers = try await attach(master, dir)
            let middle = try await master.client.get("api/v2/builders/h3/builds?limit=1&offset=\(size / 20)")
            var historyID = 1
            if case .array(let list)? = middle["builds"], let id = list.first?["buildid"]?.intValue { historyID = id }
            let pages = ["/", "/builders/h3", "/builders/h3?page=20", "/builds/\(historyID)", "/builds/\(bigID)", "/pending",
                         "/workers", "/changes", "/login", "/badges/h3.svg", "/cc.xml"]
            var figures: [(path: String, seconds: Double, statements: Double, bytes: Int)] = []
            for page in pages {
                let first = Date()
                _ = try await master.anonymous.getText(page)
                if page == "/builds/\(bigID)" { firstViews.append(Date().timeIntervalSince(first)) }
                var times: [Double] = [], counts: [Double] = []
                var bytes = 0
                // MINIBOT_BENCH_PROFILE_PAGE=/path: perf samples only that page's loop, at the last size.
                let profiled = ProcessInfo.processInfo.environment["MINIBOT_BENCH_PROFILE_PAGE"] == page && size == sizes.last
                if profiled { Profiler.enable() }
                defer { if profiled { Profiler.disable() } }
                for _ in 0..<(runs * (profiled ? 40 : 4)) {
                    let before = try await statements(master)
                    let start = Date()
                    let answer = try await master.anonymous.send("GET", page, body: nil)
                    times.append(Date().timeIntervalSince(start))
                    counts.append(try await statements(master) - before)
                    bytes = answer.body.count
                }
                figures.append((page, Sample(values: times).median, Sample(values: counts).median, bytes))
            }
            rows.append((size, figures))
            if size != sizes.last {
                for w in workers { await w.stop() }
                await master.stop()
            }
        }
        print("(l) web pages, medians at \(rows.map { "\($0.size)" }.joined(separator: " / ")) builds of history "
            + "(time: client round trip on loopback; statements: SQL per request)   target ≤ 10 ms, statements flat")
        for (index, first) in (rows.first?.figures ?? []).enumerated() {
            let cells = rows.map { row in
                let f = row.figures[index]
                return String(format: "%7.2f ms %4.0f stmts", f.seconds * 1000, f.statements)
            }.joined(separator: "   ")
            let name = first.path.hasPrefix("/builds/\(bigID)") ? "/builds/ID (a 50 MB log)" : first.path
            print("    \(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(cells)   \(rows.last!.figures[index].bytes / 1024) KiB")
        }
        if let big = rows.last?.figures.first(where: { $0.path == "/builds/\(bigID)" }) {
            print("    the build page of a 50 MB log sends \(String(format: "%.0f", Double(big.bytes) / 1024)) KiB   target < 1 MB; "
                + "its first view after a restart (the whole log read once): \(Sample(values: firstViews).format("ms", scale: 1000, digits: 0))")
        }

        // The master's CPU per build, without and with `streams` open pages' event streams
        // (MINIBOT_BENCH_WEB_STREAMS=0 measures the same twice: the noise of the figure).
        let streams = ProcessInfo.processInfo.environment["MINIBOT_BENCH_WEB_STREAMS"].flatMap { Int($0) }
            .map { min(max(0, $0), 400) } ?? streams
        let before = try await Scenarios.timedBuilds(master, requests: builds)
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = streams + 8
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let readers = try await openStreams(master.url, count: streams, client: client)
        let loud = try await Scenarios.timedBuilds(master, requests: builds)
        for reader in readers { reader.cancel() }
        try? await client.shutdown()
        let after = try await Scenarios.timedBuilds(master, requests: builds)
        // Runs later in a master's life cost a little more (a bigger database): the open-streams
        // run is set against the mean of one before and one after it.
        let quiet = (before.cpuPerBuild + after.cpuPerBuild) / 2
        let added = (loud.cpuPerBuild - quiet) / quiet * 100
        print(String(format: "    master CPU per build of `true`: %.2f ms with %d open pages' event streams against %.2f / %.2f ms before / after with none (%+.1f %%)   target < 5 %%",
                     loud.cpuPerBuild * 1000, streams, before.cpuPerBuild * 1000, after.cpuPerBuild * 1000, added))
        for w in workers { await w.stop() }
        await master.stop()
    }

    private static func attach(_ master: MasterFixture, _ dir: TemporaryDirectory) async throws -> [ChildProcess] {
        let events = try await master.events()
        var procs: [ChildProcess] = []
        for i in 1...4 { procs.append(try WorkerFixture.start(name: "w\(i)", password: "pw", master: master.url, directory: dir.url)) }
        for i in 1...4 { try await events.workerAttached("w\(i)") }
        return procs
    }

    /// The master's statement counter (`/metrics` itself runs none).
    static func statements(_ master: MasterFixture) async throws -> Double {
        let text = try await master.anonymous.getText("metrics")
        let line = text.split(separator: "\n").first { $0.hasPrefix("minibot_database_statements_total ") }
        return line.flatMap { Double($0.split(separator: " ")[1]) } ?? .nan
    }

    /// Opens `count` home-page event streams and keeps reading them until cancelled; returns
    /// once every one has answered.
    private static func openStreams(_ base: String, count: Int, client: HTTPClient) async throws -> [Task<Void, Never>] {
        var readers: [Task<Void, Never>] = []
        guard count > 0 else { return readers }
        let opened = AsyncStream<Void>.makeStream()
        for _ in 0..<count {
            readers.append(Task {
                var request = HTTPClientRequest(url: base + "/events?page=home")
                request.headers.add(name: "Accept", value: "text/event-stream")
                guard let response = try? await client.execute(request, timeout: .hours(1)) else {
                    opened.continuation.yield()
                    return
                }
                opened.continuation.yield()
                do { for try await _ in response.body {} } catch {}
            })
        }
        var answered = 0
        for await _ in opened.stream {
            answered += 1
            if answered == count { break }
        }
        return readers
    }
}
