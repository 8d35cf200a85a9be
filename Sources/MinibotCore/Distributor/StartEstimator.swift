import Foundation

/// Estimates when each pending request will start, from the queue ahead of it, the builds
/// running on its workers and how long builds of each builder usually take.
///
/// Pure: the master gathers plain values (the distributor's serving order, the running
/// builds, ``TypicalDuration`` per builder, each worker's predicted end of unavailability)
/// and asks with the time. The model is list scheduling: every build slot of a worker is
/// free at a time (now; when its running build should end, `started + typical`, or now if it
/// runs past that; never before the worker's unavailability ends); requests are taken in
/// serving order and each goes to the slot of its builder's workers that frees first, which
/// it then holds for its builder's typical duration.
///
/// What it does not model, on purpose: locks, start gates that wait for another host's load,
/// and thresholds on measurements (a worker waiting "when load < 2.4" makes its slots
/// unknown). A slot held by a build whose builder has no timed successful build is unknown
/// from then on: such a request gets a nil start with the reason, rather than a guess.
public struct StartEstimator: Sendable {
    /// A build running now.
    public struct RunningBuild: Sendable, Equatable {
        public var builder: String
        public var startedAt: Date

        public init(builder: String, startedAt: Date) {
            self.builder = builder
            self.startedAt = startedAt
        }
    }

    /// When a worker can take builds at all (its slots aside).
    public enum Availability: Sendable, Equatable {
        case now
        /// Unavailable until then (a flag's expiry, a window's end).
        case from(Date)
        /// Unavailable until a condition in words holds (`when load < 2.4`); no estimate.
        case unknown(String)
        /// Not connected, paused or draining: it takes nothing.
        case never
    }

    /// A worker as the estimate sees it.
    public struct Worker: Sendable, Equatable {
        public var name: String
        public var maxBuilds: Int
        public var running: [RunningBuild]
        public var availability: Availability

        public init(name: String, maxBuilds: Int = 1, running: [RunningBuild] = [], availability: Availability = .now) {
            self.name = name
            self.maxBuilds = maxBuilds
            self.running = running
            self.availability = availability
        }
    }

    /// Per builder, the names of its workers (``BuilderSpec/workers``).
    public var builderWorkers: [String: [String]]
    /// Per builder, its typical build duration in seconds (``TypicalDuration``); absent: unknown.
    public var typical: [String: TimeInterval]

    public init(builderWorkers: [String: [String]], typical: [String: TimeInterval]) {
        self.builderWorkers = builderWorkers
        self.typical = typical
    }

    /// Why a slot is free when it is: said in the explanation of the request that takes it.
    private enum Cause: Equatable {
        case idle
        case running(end: Date, overdue: Bool)
        case available(Date)
    }

    private struct Slot {
        var worker: String
        /// Nil: unknown (the text says why).
        var free: Date?
        var unknownBecause: String?
        /// How the slot became free the first time, before any queued request took it.
        var cause: Cause
        /// How many queued requests took the slot before.
        var ahead = 0
    }

    /// The estimates of `queue` (pending requests in serving order, ``ServingOrder/arrange(_:lastServed:)``).
    public func estimate(queue: [PendingRequest], workers: [Worker], now: Date) -> [Int64: StartEstimate] {
        var slots: [String: [Slot]] = [:]
        for worker in workers {
            slots[worker.name] = initialSlots(worker, now: now)
        }
        var result: [Int64: StartEstimate] = [:]
        result.reserveCapacity(queue.count)
        for request in queue {
            let names = builderWorkers[request.builder] ?? []
            var best: (worker: String, index: Int, free: Date)?
            var unknown: [String] = []
            for name in names {
                guard let list = slots[name] else { continue }
                for (i, slot) in list.enumerated() {
                    guard let free = slot.free else {
                        if let why = slot.unknownBecause, !unknown.contains(why) { unknown.append(why) }
                        continue
                    }
                    if best.map({ free < $0.free }) ?? true { best = (name, i, free) }
                }
            }
            guard let best else {
                let why = unknown.isEmpty ? "no usable worker" : unknown.joined(separator: "; ")
                result[request.id] = StartEstimate(start: nil, explanation: "unknown: " + why)
                continue
            }
            let slot = slots[best.worker]![best.index]
            result[request.id] = StartEstimate(start: best.free, explanation: explanation(worker: best.worker, slot: slot, now: now))
            var taken = slot
            taken.ahead += 1
            if let duration = typical[request.builder] {
                taken.free = best.free.addingTimeInterval(duration)
            } else {
                taken.free = nil
                taken.unknownBecause = "no successful build of \(request.builder) timed yet"
            }
            slots[best.worker]![best.index] = taken
        }
        return result
    }

    private func initialSlots(_ worker: Worker, now: Date) -> [Slot] {
        let from: Date
        switch worker.availability {
        case .never: return []
        case .unknown(let condition):
            return [Slot(worker: worker.name, free: nil, unknownBecause: "\(worker.name) waits \(condition)", cause: .idle)]
        case .now: from = now
        case .from(let date): from = max(date, now)
        }
        var list: [Slot] = worker.running.prefix(max(worker.maxBuilds, 0)).map { build in
            guard let duration = typical[build.builder] else {
                return Slot(worker: worker.name, free: nil,
                            unknownBecause: "no successful build of \(build.builder) timed yet", cause: .idle)
            }
            let end = build.startedAt.addingTimeInterval(duration)
            let free = max(end, from)
            let cause: Cause = end > from ? .running(end: end, overdue: false)
                : from > now ? .available(from) : .running(end: now, overdue: true)
            return Slot(worker: worker.name, free: free, cause: cause)
        }
        let idle = max(worker.maxBuilds - list.count, 0)
        for _ in 0..<idle {
            list.append(Slot(worker: worker.name, free: from, cause: from > now ? .available(from) : .idle))
        }
        return list
    }

    private func explanation(worker: String, slot: Slot, now: Date) -> String {
        var parts: [String] = []
        let ahead = slot.ahead
        if ahead > 0 { parts.append("after \(ahead) build\(ahead == 1 ? "" : "s") ahead on \(worker)") }
        switch slot.cause {
        case .idle:
            if ahead == 0 { parts.append("\(worker) is free now") }
        case .running(let end, let overdue):
            parts.append(overdue ? "\(worker)'s build runs past its typical duration"
                : "\(worker) frees in ~\(Self.approximate(end.timeIntervalSince(now)))")
        case .available(let date):
            parts.append("\(worker) usable in ~\(Self.approximate(date.timeIntervalSince(now)))")
        }
        return parts.joined(separator: "; ")
    }

    /// `45 s`, `3 min`, `2 h 10 min` (``DurationText/describe(_:)``), a minute or more rounded
    /// up to whole minutes, so "~3 min" is never early.
    static func approximate(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, seconds >= 60 else { return DurationText.describe(seconds) }
        return DurationText.describe((seconds / 60).rounded(.up) * 60)
    }
}
