import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting

extension Scenarios {
    /// (e) the herd: 10 queued builds on 5 workers that share one host agent with
    /// `slots: 1, settle: 2s`. Each step outlasts `settle`, so when a slot frees the next grant
    /// is due at once: that latency is the agent → worker → master → worker round trip.
    static func herd(runs: Int) async throws {
        var peaks: [Double] = [], gaps: [Double] = [], latencies: [Double] = []
        let settle = 2.0
        for _ in 0..<runs {
            let dir = try TemporaryDirectory("bench-herd")
            let loadFile = dir.appending("loadavg")
            try "0.10 0.10 0.10 1/100 1\n".write(to: loadFile, atomically: true, encoding: .utf8)
            let socket = dir.appending("agent.sock").path
            let agent = try await AgentFixture.start(
                socket: socket,
                yaml: "slots: 1\nsettle: 2s\noffer_timeout: 5s\nlease_ttl: 10s\nmax_load: 100\nload_file: \(loadFile.path)\n",
                directory: dir.url)
            let config = Self.config(workers: 5, step: "[\"sleep\", \"3\"]") + "\nplugins:\n  availability: {}\n"
            let master = try await MasterFixture.start(config: config, in: dir.appending("master"))
            let events = try await master.events()
            var workers: [ChildProcess] = []
            for i in 1...5 {
                workers.append(try WorkerFixture.start(name: "w\(i)", password: "pw", master: master.url, directory: dir.url,
                                                       extraArguments: ["--agent", socket]))
            }
            for i in 1...5 { try await events.workerAttached("w\(i)") }
            var ids: [Int64] = []
            for _ in 0..<10 { ids.append(try await master.force("b")) }
            var intervals: [(start: Double, end: Double)] = []
            for id in ids {
                let finished = try await events.buildFinished(request: id, timeout: 600)
                let build = try await master.build(Int64(finished["buildid"]?.doubleValue ?? 0))
                if let a = build["started_at"]?.doubleValue, let b = build["complete_at"]?.doubleValue { intervals.append((a, b)) }
            }
            intervals.sort { $0.start < $1.start }
            // Peak concurrency: the most intervals open at any start.
            let peak = intervals.map { s in intervals.filter { $0.start <= s.start && $0.end > s.start }.count }.max() ?? 0
            peaks.append(Double(peak))
            for (a, b) in zip(intervals, intervals.dropFirst()) {
                gaps.append(b.start - a.start)
                // The step (3 s) outlasts settle (2 s): the next grant is due the moment the slot frees.
                if b.start - a.start >= settle { latencies.append(b.start - a.end) }
            }
            for w in workers { await w.stop() }
            await master.stop()
            await agent.stop()
            dir.remove()
        }
        print("(e) herd, 10 builds on 5 workers behind one agent (slots 1, settle 2 s):")
        print("    peak concurrent builds: \(Sample(values: peaks).format("", digits: 0))   must be 1")
        print("    gap between consecutive starts: \(Sample(values: gaps).format("s", digits: 2)); min \(String(format: "%.2f", gaps.min() ?? 0)) s   target ≥ 2 s (settle)")
        print("    slot free → next build start: \(Sample(values: latencies).format("ms", scale: 1000))   target ≤ 50 ms")
    }
}
