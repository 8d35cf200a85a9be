import Foundation
import MinibotClient
import MinibotCore
import MinibotSQLite
import MinibotTesting

/// The benchmark scenarios; each starts its own master and workers in a temp directory.
enum Scenarios {
    /// Workers w1…w`workers` and builder `b` running `step`.
    static func config(workers: Int, step: String, maxBuilds: Int = 1) -> String {
        config(names: (1...workers).map { "w\($0)" }, step: step, maxBuilds: maxBuilds)
    }

    /// Workers `names` and builder `b` running `step`; `db`: a `db:` line (empty: SQLite).
    static func config(names: [String], step: String, maxBuilds: Int = 1, db: String = "") -> String {
        """
        title: bench
        www: {port: 0, admin_token_file: admin.token}
        \(db)
        workers:
        \(names.map { "  - {name: \($0), password: pw, max_builds: \(maxBuilds)}" }.joined(separator: "\n"))
        schedulers:
          - force: {name: force, builders: [b]}
        builders:
          - name: b
            collapse_requests: false
            workers: [\(names.joined(separator: ", "))]
            steps:
              - shell: {name: step, command: \(step)}
        """
    }

    /// A master with `workers` connected workers, ready to build.
    static func cluster(_ dir: TemporaryDirectory, workers: Int, step: String) async throws -> (MasterFixture, [ChildProcess]) {
        let master = try await MasterFixture.start(config: config(workers: workers, step: step), in: dir.appending("master"))
        let events = try await master.events()
        var procs: [ChildProcess] = []
        for i in 1...workers {
            procs.append(try WorkerFixture.start(name: "w\(i)", password: "pw", master: master.url, directory: dir.url))
        }
        for i in 1...workers { try await events.workerAttached("w\(i)") }
        return (master, procs)
    }

    static func shutdown(_ master: MasterFixture, _ workers: [ChildProcess], _ dir: TemporaryDirectory) async {
        for w in workers { await w.stop() }
        await master.stop()
        dir.remove()
    }

    /// (a) force → build start and → first step start, measured on the master's clock.
    static func latency(runs: Int) async throws {
        let dir = try TemporaryDirectory("bench-latency")
        let (master, workers) = try await cluster(dir, workers: 4, step: "[\"true\"]")
        var toStart: [Double] = [], toStep: [Double] = [], roundTrip: [Double] = []
        let events = try await master.events()
        for _ in 0..<(runs * 4) {
            let t0 = Date()
            let request = try await master.force("b")
            let finished = try await events.buildFinished(request: request)
            roundTrip.append(Date().timeIntervalSince(t0))
            let id = Int64(finished["buildid"]?.doubleValue ?? 0)
            let build = try await master.build(id)
            let requests = try await master.client.get("api/v2/buildrequests?limit=5")
            guard case .array(let list)? = requests["buildrequests"],
                  let r = list.first(where: { $0["buildrequestid"]?.doubleValue == Double(request) }),
                  let submitted = r["submitted_at"]?.doubleValue, let started = build["started_at"]?.doubleValue else { continue }
            toStart.append(started - submitted)
            if case .array(let steps)? = build["steps"], let s = steps.first?["started_at"]?.doubleValue {
                toStep.append(s - submitted)
            }
        }
        print("(a) force → build start:       \(Sample(values: toStart).format("ms", scale: 1000))   target ≤ 10 ms")
        print("    force → first step start:  \(Sample(values: toStep).format("ms", scale: 1000))   target ≤ 3 ms (issue 16)")
        print("    force → build finished (client round trip): \(Sample(values: roundTrip).format("ms", scale: 1000))")
        await shutdown(master, workers, dir)
    }

    /// (b) `requests` builds of `true` over 4 workers with max_builds 1.
    static func throughput(runs: Int, requests: Int) async throws {
        var rates: [Double] = [], cpuPerBuild: [Double] = []
        for _ in 0..<runs {
            let dir = try TemporaryDirectory("bench-throughput")
            let (master, workers) = try await cluster(dir, workers: 4, step: "[\"true\"]")
            let run = try await timedBuilds(master, requests: requests)
            rates.append(run.rate)
            cpuPerBuild.append(run.cpuPerBuild)
            await shutdown(master, workers, dir)
        }
        print("(b) throughput, \(requests) builds of `true` on 4 workers: \(Sample(values: rates).format("builds/s", digits: 1))   target ≥ 500 (issue 16)")
        print("    master CPU per build: \(Sample(values: cpuPerBuild).format("ms", scale: 1000))   target ≤ 1 ms (issue 16)")
    }

    /// (c) one step printing 50 MB: wall time, rate, the master's peak RSS and how much the
    /// database grew for it (after a checkpoint, against a build of `true`).
    static func bigLog(runs: Int) async throws {
        let bytes = 50 * 1024 * 1024
        let line = String(repeating: "0123456789", count: 10)
        let baseline = try await logRun(runs: 1, step: "[\"true\"]", bytes: 0).databases.first ?? 0
        let text = try await logRun(runs: runs, step: "\"yes \(line) | head -c \(bytes)\"", bytes: bytes)
        print("(c) a step printing 50 MB: \(Sample(values: text.walls).format("s")); \(Sample(values: text.rates).format("MB/s", digits: 1))   target ≥ 300 MB/s")
        print("    master peak RSS while it streams: \(Sample(values: text.peaks).format("MiB", digits: 1))   target ≤ 40 MiB "
              + "(its start-up peak before: \(Sample(values: text.startupPeaks).format("MiB", digits: 1)))")
        print("    database growth for it, after a WAL checkpoint: "
            + "\(Sample(values: text.databases.map { $0 - baseline }).format("MB", scale: 1e-6, digits: 3))   target ≤ 0.25 MB")
        // The worst case for compression: base64 of random bytes. The same file each run, so
        // the database can be set against what `zstd -3` makes of it.
        let noiseDir = try TemporaryDirectory("bench-noise")
        defer { noiseDir.remove() }
        let noise = noiseDir.appending("noise.txt").path
        try await shell("head -c \(bytes / 4 * 3) /dev/urandom | base64 -w 100 > \(noise) && zstd -q -3 -f \(noise) -o \(noise).zst")
        let zstdBytes = Double(fileSize(noise + ".zst"))
        let random = try await logRun(runs: runs, step: "\"cat \(noise)\"", bytes: fileSize(noise))
        print("    the same with 50 MB of base64 random: \(Sample(values: random.walls).format("s")); "
            + "\(Sample(values: random.rates).format("MB/s", digits: 1)); master peak RSS \(Sample(values: random.peaks).format("MiB", digits: 1))")
        print("    database growth for it: \(Sample(values: random.databases.map { $0 - baseline }).format("MB", scale: 1e-6, digits: 3)), "
            + "\(Sample(values: random.databases.map { ($0 - baseline) / zstdBytes }).format("× zstd -3", digits: 3)) "
            + "(zstd -3: \(String(format: "%.3f", zstdBytes / 1e6)) MB)   target ≤ 1.05 × zstd -3")
    }

    /// Runs `command` with /bin/sh, to its end; a failure is an error.
    static func shell(_ command: String) async throws {
        let status = try await Spawn.run("/bin/sh", ["-c", command], environment: ProcessInfo.processInfo.environment,
                                         stdin: 0, stdout: 1, stderr: 2, timeout: 600)
        guard status == 0 else { throw FixtureError("`\(command)` failed with status \(status)") }
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// The size of a master's SQLite database after a truncating checkpoint, the write-ahead
    /// log included (empty by then), in bytes. The master must be stopped.
    static func databaseBytes(_ master: URL) async throws -> Double {
        let path = master.appendingPathComponent("state.sqlite").path
        try await SQLiteStore(path: path).checkpoint()
        return Double(fileSize(path) + fileSize(path + "-wal"))
    }

    private static func logRun(runs: Int, step: String, bytes: Int) async throws
        -> (walls: [Double], rates: [Double], peaks: [Double], startupPeaks: [Double], databases: [Double]) {
        var rates: [Double] = [], walls: [Double] = [], peaks: [Double] = [], databases: [Double] = []
        var startupPeaks: [Double] = []
        for _ in 0..<runs {
            let dir = try TemporaryDirectory("bench-log")
            let (master, workers) = try await cluster(dir, workers: 1, step: step)
            let events = try await master.events()
            // The peak of the build itself: start-up maps most of the code once, and that
            // (file-backed, handed back once the master listens) would otherwise be the peak.
            startupPeaks.append(ProcessStats.memoryMiB(master.process.pid, "VmHWM"))
            ProcessStats.resetPeak(master.process.pid)
            Profiler.enable()
            let request = try await master.force("b")
            let finished = try await events.buildFinished(request: request, timeout: 600)
            Profiler.disable()
            let build = try await master.build(Int64(finished["buildid"]?.doubleValue ?? 0))
            if case .array(let steps)? = build["steps"], let s = steps.first,
               let a = s["started_at"]?.doubleValue, let b = s["complete_at"]?.doubleValue {
                walls.append(b - a)
                rates.append(Double(bytes) / (b - a) / 1e6)
            }
            peaks.append(ProcessStats.memoryMiB(master.process.pid, "VmHWM"))
            for w in workers { await w.stop() }
            await master.stop()
            databases.append(try await databaseBytes(master.directory))
            dir.remove()
        }
        return (walls, rates, peaks, startupPeaks, databases)
    }

    /// (d) master idle RSS with 4 workers connected, and start-up time until the API answers.
    static func idle(runs: Int) async throws {
        var startups: [Double] = [], rss: [Double] = [], workerRSS: [Double] = []
        for _ in 0..<runs {
            let dir = try TemporaryDirectory("bench-idle")
            let t0 = Date()
            let master = try await MasterFixture.start(config: config(workers: 4, step: "[\"true\"]"), in: dir.appending("master"))
            _ = try await master.client.get("api/v2")
            startups.append(Date().timeIntervalSince(t0))
            let events = try await master.events()
            var workers: [ChildProcess] = []
            for i in 1...4 { workers.append(try WorkerFixture.start(name: "w\(i)", password: "pw", master: master.url, directory: dir.url)) }
            for i in 1...4 { try await events.workerAttached("w\(i)") }
            // Let the connections settle (status reports, first pings; the master hands back
            // the pages connecting touched a second after the last) before reading RSS.
            try await Task.sleep(for: .seconds(5))
            rss.append(ProcessStats.memoryMiB(master.process.pid, "VmRSS"))
            workerRSS.append(contentsOf: workers.map { ProcessStats.memoryMiB($0.pid, "VmRSS") })
            await shutdown(master, workers, dir)
        }
        print("(d) master start-up until the API answers: \(Sample(values: startups).format("s", digits: 3))   target ≤ 0.3 s")
        print("    master idle RSS with 4 workers: \(Sample(values: rss).format("MiB", digits: 1))   target ≤ 20 MiB (issue 16)")
        print("    worker idle RSS, connected: \(Sample(values: workerRSS).format("MiB", digits: 1))   target ≤ 15 MiB (issue 16)")
    }
}
