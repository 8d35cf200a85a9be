import Foundation
import MinibotCore
import MinibotStore

/// Gathers what ``StartEstimator`` reads from the master's parts (the distributor's serving
/// order and reasons, the registry's workers, the store's running and recent builds) and asks
/// it. Read when the API, `minibot pending` or the page asks, never on the distributor's path.
struct ExpectedStarts {
    /// How many recent builds of a builder its typical duration is the median of.
    static let history = 20

    static func estimate(_ runtime: MasterRuntime) async throws -> [Int64: StartEstimate] {
        let (queue, waiting) = await runtime.distributor.servingQueue()
        guard !queue.isEmpty else { return [:] }
        let config = runtime.config
        let states = await runtime.registry.states(ordered: false)
        let running = try await runtime.store.runningBuilds(master: runtime.masterName)
        var builders = Set(queue.map(\.builder))
        builders.formUnion(running.map(\.builderName))
        var typical: [String: TimeInterval] = [:]
        for builder in builders.sorted() {
            typical[builder] = TypicalDuration.of(try await runtime.store.builds(builder: builder, limit: history))
        }
        let estimator = StartEstimator(
            builderWorkers: Dictionary(config.builders.map { ($0.name, $0.workers) }, uniquingKeysWith: { _, last in last }),
            typical: typical)
        return estimator.estimate(queue: queue, workers: workers(states, running: running, queue: queue, waiting: waiting),
                                  now: runtime.clock.now())
    }

    /// The workers as the estimate sees them. A worker's availability is the first reason,
    /// in serving order, that a request gives for it: unavailable or not admitted until a
    /// time (the predicted end, ``WaitingReason/until``), or until a condition; a busy worker
    /// has none (the plugins were not asked), and is taken to be usable when it frees.
    static func workers(_ states: [WorkerState], running: [Build], queue: [PendingRequest],
                        waiting: [Int64: [WaitingReason]]) -> [StartEstimator.Worker] {
        var availability: [String: StartEstimator.Availability] = [:]
        for request in queue {
            for reason in waiting[request.id] ?? [] {
                guard let worker = reason.worker, availability[worker] == nil else { continue }
                switch reason.kind {
                case .unavailable?, .notAdmitted?:
                    if let until = reason.until {
                        availability[worker] = .from(until)
                    } else {
                        availability[worker] = .unknown(reason.condition
                            ?? (reason.kind == .notAdmitted ? "for a start gate (the host agent)" : "for its availability to change"))
                    }
                case .notConnected?, .paused?, .draining?:
                    availability[worker] = .never
                case .busy?, .locked?, nil:
                    break
                }
            }
        }
        let byWorker = Dictionary(grouping: running, by: \.workerName)
        return states.map { s in
            let usable = s.isConnected && !s.isPaused && !s.isStopping && s.drain == nil
            return StartEstimator.Worker(
                name: s.name, maxBuilds: s.maxBuilds,
                running: (byWorker[s.name] ?? []).map { StartEstimator.RunningBuild(builder: $0.builderName, startedAt: $0.startedAt) },
                availability: usable ? availability[s.name] ?? .now : .never)
        }
    }
}
