import Foundation
import MinibotCore

/// The pure ``DistributorPolicy`` pass on the distributor scenario's shape (by default the
/// small one: 1,000 pending requests, 50 builders, 200 workers, 8 per builder), in this process: how much of a
/// decision is the pass itself. Half the workers are paused and the other half busy, so
/// every request waits and every builder's reasons are worked out.
enum PolicyPassScenario {
    static func run(runs: Int, scale: DistributorScenario.Scale = DistributorScenario.small) {
        let (workerCount, builderCount) = (scale.workerCount, scale.builderCount)
        let names = (1...workerCount).map { String(format: "s%03d", $0) }
        let builders = (0..<builderCount).map { b in
            BuilderSpec(name: DistributorScenario.builderName(b + 1),
                        workers: (0..<DistributorScenario.workersPerBuilder).map { names[(b * 4 + $0) % workerCount] },
                        steps: [StepSpec(name: "true", action: .shell(.argv(["true"])))], collapseRequests: false)
        }
        let workers = names.enumerated().map { i, name in
            DistributorPolicy.Worker(name: name, isPaused: i % 2 == 0, pauseReason: "bench",
                                     runningBuilds: i % 2 == 0 ? 0 : 1, maxBuilds: 1)
        }
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let pending = (0..<scale.requestCount).map { i in
            PendingRequest(id: Int64(i + 1), builder: builders[i % builderCount].name, priority: 0,
                           submittedAt: t0.addingTimeInterval(Double(i) / 1000))
        }
        let policy = DistributorPolicy(builders: builders)
        let clock = ContinuousClock()
        var times: [Double] = []
        var waiting = 0
        for _ in 0..<max(20, runs * 10) {
            let start = clock.now
            let outcome = policy.decide(pending: pending, workers: workers, locks: LockBook(), now: t0)
            let elapsed = clock.now - start
            waiting = outcome.waiting.count
            times.append(Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
        }
        print("    one pure policy pass over \(waiting) waiting requests, \(builderCount) builders, \(workerCount) workers: "
              + "\(Sample(values: times).format("ms", scale: 1000))")
    }
}
