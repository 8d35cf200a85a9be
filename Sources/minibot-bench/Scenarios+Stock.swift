import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Synchronization

extension Scenarios {
    /// What one throughput run measured.
    struct ThroughputRun {
        var rate: Double
        var cpuPerBuild: Double
        var peakMiB: Double
    }

    /// Forces `requests` builds and waits for all of them: builds per second and the master's
    /// CPU seconds per build over that span.
    static func timedBuilds(_ master: MasterFixture, requests: Int) async throws -> ThroughputRun {
        let events = try await master.events()
        let cpu0 = ProcessStats.cpuSeconds(master.process.pid)
        let t0 = Date()
        for _ in 0..<requests { _ = try await master.force("b") }
        let finished = Mutex(Set<Int64>())
        _ = try await events.wait(timeout: 600, "all builds to finish") { e in
            guard e["type"]?.stringValue == "build_finished", let r = e["buildrequestid"]?.doubleValue else { return false }
            return finished.withLock { f in
                f.insert(Int64(r))
                return f.count >= requests
            }
        }
        let elapsed = Date().timeIntervalSince(t0)
        let cpu = ProcessStats.cpuSeconds(master.process.pid) - cpu0
        return ThroughputRun(rate: Double(requests) / elapsed, cpuPerBuild: cpu / Double(requests),
                             peakMiB: ProcessStats.memoryMiB(master.process.pid, "VmHWM"))
    }

    /// (f) issue 13: `requests` builds of `true` on 4 unmodified buildbot-workers 4.3.0, side by
    /// side with 4 native workers on the same master build; with `buildbotVenv`, also
    /// Buildbot 4.3's own master driving the same stock workers.
    static func stock(runs: Int, requests: Int, workerVenv: String, buildbotVenv: String?) async throws {
        let python = workerVenv + "/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            print("(f) stock workers: skipped, no venv at \(workerVenv) (run scripts/install-buildbot-worker)")
            return
        }
        var native: [ThroughputRun] = [], stock: [ThroughputRun] = [], buildbot: [ThroughputRun] = []
        for _ in 0..<runs {
            native.append(try await minibotRun(requests: requests, stockPython: nil))
            stock.append(try await minibotRun(requests: requests, stockPython: python))
            if let buildbotVenv {
                buildbot.append(try await BuildbotMaster.run(requests: requests, venv: buildbotVenv, workerPython: python))
            }
        }
        func show(_ label: String, _ list: [ThroughputRun]) {
            guard !list.isEmpty else { return }
            print("    \(label):")
            print("      throughput: \(Sample(values: list.map(\.rate)).format("builds/s", digits: 1))")
            print("      master CPU per build: \(Sample(values: list.map(\.cpuPerBuild)).format("ms", scale: 1000))")
            print("      master peak RSS: \(Sample(values: list.map(\.peakMiB)).format("MiB", digits: 0))")
        }
        print("(f) \(requests) builds of `true` on 4 workers, stock buildbot-worker 4.3.0 vs native:")
        show("Minibot master, 4 native workers", native)
        show("Minibot master, 4 stock buildbot-workers (msgpack)", stock)
        show("Buildbot 4.3 master, the same 4 stock buildbot-workers", buildbot)
        let cpuRatio = Sample(values: stock.map(\.cpuPerBuild)).median / Sample(values: native.map(\.cpuPerBuild)).median
        print("    CPU per build, stock / native: \(String(format: "%.2f", cpuRatio))×   target ≤ 2×")
        if !buildbot.isEmpty {
            let speedup = Sample(values: stock.map(\.rate)).median / Sample(values: buildbot.map(\.rate)).median
            print("    throughput, Minibot / Buildbot with stock workers: \(String(format: "%.1f", speedup))×   target ≥ 20×")
        }
    }

    /// One Minibot master with 4 workers: native ones, or stock ones from `stockPython`'s venv.
    private static func minibotRun(requests: Int, stockPython: String?) async throws -> ThroughputRun {
        let dir = try TemporaryDirectory("bench-stock")
        let master = try await MasterFixture.start(config: config(workers: 4, step: "[\"true\"]"), in: dir.appending("master"))
        let events = try await master.events()
        var workers: [ChildProcess] = []
        for i in 1...4 {
            if let stockPython {
                workers.append(try await StockWorkers.start(name: "w\(i)", port: master.port, python: stockPython, in: dir))
            } else {
                workers.append(try WorkerFixture.start(name: "w\(i)", password: "pw", master: master.url, directory: dir.url))
            }
        }
        for i in 1...4 { try await events.workerAttached("w\(i)") }
        let run = try await timedBuilds(master, requests: requests)
        await shutdown(master, workers, dir)
        return run
    }
}
