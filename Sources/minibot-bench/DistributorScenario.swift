import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting

/// (e) The distributor under a deep queue: 1,000 pending requests over 50 builders and
/// 200 connected workers, then 10,000 over 250 builders and 1,000 workers (issue 16: a
/// decision's cost must not grow with builders it does not touch), against a real
/// (release) master.
///
/// The workers are ``SimulatedWorkers`` in this process. Each builder lists 8 of the 200
/// workers (every worker serves 2 builders), so a pass weighs 1,000 requests × 8 workers.
/// 1. Decision: every worker starts paused and 1,000 requests are forced. Then, one at a
///    time, a worker is unpaused (it becomes usable) and the time until its `startStep`
///    arrives is measured; it keeps that build, so the queue stays ~1,000 deep. The master's
///    CPU over these unpauses, divided by their number, is the CPU per decision (it includes
///    the unpause request itself and the build's start: claim, build record, first step).
/// 2. Churn: all workers answer at once from then on and the rest are unpaused; for every
///    build that follows, the time from a worker's `stepFinished` to its next `startStep`
///    (finish recorded, slot freed, pass, claim, start), and the master's CPU per build.
enum DistributorScenario {
    /// One size of the scene.
    struct Scale: Sendable {
        var workerCount: Int
        var builderCount: Int
        var requestCount: Int
    }

    static let small = Scale(workerCount: 200, builderCount: 50, requestCount: 1_000)
    static let large = Scale(workerCount: 1_000, builderCount: 250, requestCount: 10_000)
    static let workersPerBuilder = 8

    static func builderName(_ n: Int) -> String { String(format: "b%03d", n) }

    static func config(_ scale: Scale) -> String {
        let (workerCount, builderCount) = (scale.workerCount, scale.builderCount)
        let workers = (1...workerCount).map { String(format: "s%03d", $0) }
        var text = """
        title: bench distributor
        www: {port: 0, admin_token_file: admin.token}
        workers:
        \(workers.map { "  - {name: \($0), password: pw, max_builds: 1}" }.joined(separator: "\n"))
        schedulers:
          - force: {name: force, builders: [\((1...builderCount).map(builderName).joined(separator: ", "))]}
        builders:

        """
        for b in 0..<builderCount {
            let listed = (0..<workersPerBuilder).map { workers[(b * 4 + $0) % workerCount] }
            text += """
              - name: \(builderName(b + 1))
                collapse_requests: false
                workers: [\(listed.joined(separator: ", "))]
                steps:
                  - shell: {name: step, command: [\"true\"]}

            """
        }
        return text
    }

    static func run(runs: Int, decisions: Int) async throws {
        for scale in [small, large] { try await run(scale, runs: runs, decisions: decisions) }
        for scale in [small, large] { PolicyPassScenario.run(runs: runs, scale: scale) }
    }

    private static func run(_ scale: Scale, runs: Int, decisions: Int) async throws {
        let (workerCount, builderCount, requestCount) = (scale.workerCount, scale.builderCount, scale.requestCount)
        var latencies: [Double] = [], cpuPerDecision: [Double] = []
        var gaps: [Double] = [], cpuPerBuild: [Double] = [], rates: [Double] = []
        for _ in 0..<runs {
            let dir = try TemporaryDirectory("bench-distributor")
            let master = try await MasterFixture.start(config: config(scale), in: dir.appending("master"))
            let workers = SimulatedWorkers(names: (1...workerCount).map { String(format: "s%03d", $0) }, password: "pw",
                                           masterURL: master.url)
            let connections = workers.connect()
            defer {
                connections.cancel()
                dir.remove()
            }
            do {
                let client = master.client
                for name in workers.names {
                    _ = try await client.post("api/v2/workers/\(name)/pause", .object(["reason": .string("bench")]))
                }
                await workers.waitUntilWelcomed()
                try await force(master, scale)

                // 1. One worker becomes usable at a time.
                let clock = ContinuousClock()
                let step = max(1, workerCount / decisions)
                let chosen = stride(from: 0, to: workerCount, by: step).prefix(decisions).map { workers.names[$0] }
                let cpu0 = ProcessStats.cpuSeconds(master.process.pid)
                Profiler.enable()
                for name in chosen {
                    let t0 = clock.now
                    _ = try await client.post("api/v2/workers/\(name)/unpause")
                    let t1 = await workers.waitForStart(name, after: t0)
                    latencies.append(seconds(t1 - t0))
                }
                Profiler.disable()
                cpuPerDecision.append((ProcessStats.cpuSeconds(master.process.pid) - cpu0) / Double(chosen.count))

                // 2. Everyone works; the queue drains.
                let startedSoFar = workers.starts
                let cpu1 = ProcessStats.cpuSeconds(master.process.pid)
                let t2 = Date()
                await workers.startAnswering()
                for name in workers.names where !chosen.contains(name) {
                    _ = try await client.post("api/v2/workers/\(name)/unpause")
                }
                await workers.waitForStarts(requestCount)
                let elapsed = Date().timeIntervalSince(t2)
                let built = Double(requestCount - startedSoFar)
                cpuPerBuild.append((ProcessStats.cpuSeconds(master.process.pid) - cpu1) / built)
                rates.append(built / elapsed)
                gaps.append(contentsOf: workers.gaps.map(seconds))
            } catch {
                await master.stop()
                throw error
            }
            await master.stop()
        }
        print("(e) distributor, \(requestCount) pending over \(builderCount) builders, \(workerCount) simulated workers (\(workersPerBuilder) per builder):")
        print("    worker unpaused → its build's first step arrives: \(Sample(values: latencies).format("ms", scale: 1000))   target ≤ 5 ms (issue 16: at 10,000 and 1,000 too)")
        print("    master CPU per decision (unpause + pass + start): \(Sample(values: cpuPerDecision).format("ms", scale: 1000))")
        print("    churn: worker's step finished → its next step arrives: \(Sample(values: gaps).format("ms", scale: 1000))")
        print("    churn: master CPU per build: \(Sample(values: cpuPerBuild).format("ms", scale: 1000)); \(Sample(values: rates).format("builds/s", digits: 0))")
    }

    /// Forces the scale's requests spread evenly over the builders, 8 at a time.
    private static func force(_ master: MasterFixture, _ scale: Scale) async throws {
        let (builderCount, requestCount) = (scale.builderCount, scale.requestCount)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                let builder = builderName(next % builderCount + 1)
                next += 1
                group.addTask { _ = try await master.force(builder) }
            }
            for _ in 0..<8 { add() }
            while try await group.next() != nil {
                if next < requestCount { add() }
            }
        }
        let answer = try await master.client.get("api/v2/builders")
        guard case .array(let builders)? = answer["builders"] else { throw FixtureError("no builders: \(answer)") }
        let pending = builders.compactMap { $0["pending_requests"]?.doubleValue }.reduce(0, +)
        guard Int(pending) == requestCount else { throw FixtureError("\(Int(pending)) pending, expected \(requestCount)") }
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
