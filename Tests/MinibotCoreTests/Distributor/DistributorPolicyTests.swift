import Foundation
import Testing
import MinibotCore

private let t0 = Date(timeIntervalSinceReferenceDate: 700_000_000)

private func request(_ id: Int64, _ builder: String = "b", priority: Int = 0, at seconds: Double = 0,
                     properties: [String: String] = [:]) -> PendingRequest {
    PendingRequest(id: id, builder: builder, priority: priority, submittedAt: t0.addingTimeInterval(seconds),
                   properties: properties)
}

private func worker(_ name: String, max: Int = 1, running: Int = 0) -> DistributorPolicy.Worker {
    DistributorPolicy.Worker(name: name, runningBuilds: running, maxBuilds: max)
}

private func builder(_ name: String = "b", workers: [String], locks: [LockAccess] = []) -> BuilderSpec {
    BuilderSpec(name: name, workers: workers, locks: locks, steps: [])
}

private func started(_ outcome: DistributorPolicy.Outcome) -> [String] {
    outcome.decisions.map { "\($0.request.id)@\($0.worker)" }
}

private func reasons(_ outcome: DistributorPolicy.Outcome, _ id: Int64) -> [String] {
    (outcome.waiting[id] ?? []).map(\.reason)
}

@Suite struct DistributorPolicyOrderTests {
    @Test func priorityThenAgeAcrossBuilders() {
        let policy = DistributorPolicy(builders: [builder("a", workers: ["w1"]), builder("b", workers: ["w1"])])
        let pending = [
            request(1, "a", priority: 0, at: 0),
            request(2, "b", priority: 5, at: 10),
            request(3, "a", priority: 5, at: 5),
            request(4, "b", priority: 0, at: 1),
        ]
        let one = policy.decide(pending: pending, workers: [worker("w1")], locks: LockBook(), now: t0)
        #expect(started(one) == ["3@w1"])
        #expect(reasons(one, 2).first == "worker w1 busy (1/1 builds)")

        let many = policy.decide(pending: pending, workers: [worker("w1", max: 10)], locks: LockBook(), now: t0)
        #expect(started(many) == ["3@w1", "2@w1", "1@w1", "4@w1"])
        #expect(many.waiting.isEmpty)
    }

    /// Issue 17: 6 requests of A then 2 of B; B waited for all of A. Now builders take turns
    /// among requests of equal priority, oldest first; `fifo` keeps the global order.
    @Test func buildersTakeTurnsUnlessFIFO() {
        let builders = [builder("a", workers: ["w1"]), builder("b", workers: ["w1"])]
        let pending = (1...6).map { request(Int64($0), "a", at: Double($0)) }
            + [request(7, "b", at: 7), request(8, "b", at: 8), request(9, "a", priority: 1, at: 9)]
        let all = [worker("w1", max: 20)]
        let fair = DistributorPolicy(builders: builders).decide(pending: pending, workers: all, locks: LockBook(), now: t0)
        #expect(started(fair) == ["9@w1", "1@w1", "7@w1", "2@w1", "8@w1", "3@w1", "4@w1", "5@w1", "6@w1"])
        let fifo = DistributorPolicy(builders: builders, order: .fifo)
            .decide(pending: pending, workers: all, locks: LockBook(), now: t0)
        #expect(started(fifo) == ["9@w1", "1@w1", "2@w1", "3@w1", "4@w1", "5@w1", "6@w1", "7@w1", "8@w1"])
        // One slot: the oldest of all goes first, then B's oldest gets the next one.
        let one = DistributorPolicy(builders: builders).decide(pending: Array(pending.prefix(8)),
                                                               workers: [worker("w1")], locks: LockBook(), now: t0)
        #expect(started(one) == ["1@w1"])
        let next = DistributorPolicy(builders: builders).decide(pending: Array(pending.prefix(8).dropFirst()),
                                                                workers: [worker("w1")], locks: LockBook(),
                                                                lastServed: ["a": 1], now: t0)
        #expect(started(next) == ["7@w1"])
        let third = DistributorPolicy(builders: builders).decide(pending: [2, 3, 4, 5, 6, 8].map { pending[$0 - 1] },
                                                                 workers: [worker("w1")], locks: LockBook(),
                                                                 lastServed: ["a": 1, "b": 2], now: t0)
        #expect(started(third) == ["2@w1"])
    }

    @Test func equalPriorityAndTimeFallBackToID() {
        let policy = DistributorPolicy(builders: [builder(workers: ["w1"])])
        let outcome = policy.decide(pending: [request(9), request(8)], workers: [worker("w1")], locks: LockBook(), now: t0)
        #expect(started(outcome) == ["8@w1"])
    }

    @Test func aRequestThatCannotStartDoesNotBlockLaterOnesOfItsBuilder() {
        let policy = DistributorPolicy(builders: [builder(workers: ["w1"])])
        // The plugin turns w1 down for request 1 only (say it needs a property w1 lacks).
        let outcome = policy.decide(
            pending: [request(1, at: 0, properties: ["needs": "gpu"]), request(2, at: 1)],
            workers: [worker("w1")], locks: LockBook(), now: t0
        ) { request, candidates in
            request.properties["needs"] == "gpu"
                ? candidates.map { .unavailable($0.name, reason: "no gpu") } : []
        }
        #expect(started(outcome) == ["2@w1"])
        #expect(reasons(outcome, 1) == ["worker w1 unavailable: no gpu", "worker w1 unavailable: no gpu"])
    }

    @Test func maxBuildsIsHonouredWithinOnePass() {
        let policy = DistributorPolicy(builders: [builder(workers: ["w1", "w2"])])
        let outcome = policy.decide(
            pending: (1...5).map { request(Int64($0), at: Double($0)) },
            workers: [worker("w1", max: 2, running: 1), worker("w2", max: 2)],
            locks: LockBook(), now: t0)
        // Fewest running builds first: w2 (0) before w1 (1); then ties go by name.
        #expect(started(outcome) == ["1@w2", "2@w1", "3@w2"])
        #expect(reasons(outcome, 4) == ["all workers busy", "worker w1 busy (2/2 builds)", "worker w2 busy (2/2 builds)"])
        #expect(reasons(outcome, 5) == reasons(outcome, 4))
    }

    @Test func pluginsSeeOnlyFreeWorkersWithThePassCountedIn() {
        let policy = DistributorPolicy(builders: [builder(workers: ["w1", "w2", "w3"])])
        var seen: [[String]] = []
        _ = policy.decide(pending: [request(1, at: 0), request(2, at: 1)],
                          workers: [worker("w1", max: 2), worker("w2", running: 1),
                                    DistributorPolicy.Worker(name: "w3", isConnected: false)],
                          locks: LockBook(), now: t0) { _, candidates in
            seen.append(candidates.map { "\($0.name):\($0.runningBuilds)/\($0.maxBuilds)" })
            return []
        }
        #expect(seen == [["w1:0/2"], ["w1:1/2"]])
    }
}

@Suite struct DistributorPolicyVerdictTests {
    let policy = DistributorPolicy(builders: [builder(workers: ["w1", "w2", "w3"])])

    @Test func eligibleWorkersGoByRankThenLoadThenName() {
        let outcome = policy.decide(
            pending: [request(1, at: 0), request(2, at: 1), request(3, at: 2)],
            workers: [worker("w1", max: 3), worker("w2", max: 3), worker("w3", max: 3)],
            locks: LockBook(), now: t0
        ) { _, candidates in
            candidates.map { .eligible($0.name, rank: $0.name == "w3" ? 0 : 1) }
        }
        // w3 has the best rank but then runs one build; w1 and w2 tie on rank and load: w1 by name.
        #expect(started(outcome) == ["1@w3", "2@w3", "3@w3"])

        let levelled = policy.decide(
            pending: [request(1, at: 0), request(2, at: 1), request(3, at: 2)],
            workers: [worker("w1", max: 3), worker("w2", max: 3), worker("w3", max: 3)],
            locks: LockBook(), now: t0)
        #expect(started(levelled) == ["1@w1", "2@w2", "3@w3"])
    }

    @Test func advisoryIsRankedLastButUsedWhenItIsTheOnlyUsableWorker() {
        let verdicts: (PendingRequest, [WorkerCandidate]) -> [WorkerVerdict] = { _, candidates in
            candidates.map { $0.name == "w1" ? .advisory("w1", reason: "owner at work") : .eligible($0.name, rank: 5) }
        }
        let both = policy.decide(pending: [request(1)], workers: [worker("w1"), worker("w2")],
                                 locks: LockBook(), now: t0, verdicts: verdicts)
        #expect(started(both) == ["1@w2"])

        let alone = policy.decide(pending: [request(1), request(2, at: 1)],
                                  workers: [worker("w1"), worker("w2", running: 1)],
                                  locks: LockBook(), now: t0, verdicts: verdicts)
        #expect(started(alone) == ["1@w1"])
        #expect(alone.decisions.first?.verdict.kind == .advisory)
        #expect(alone.decisions.first?.verdict.reason == "owner at work")
    }

    /// The verdict's `until` is a re-check time (internal), its `endsAt` the end users see:
    /// the summary shows the earliest end, the next check is the earliest re-check.
    @Test func unavailableIsNeverUsedItsEndIsShownAndItsRecheckSetsTheNextCheck() {
        let windowEnds = t0.addingTimeInterval(3600)
        let recheck = t0.addingTimeInterval(600)
        let outcome = policy.decide(pending: [request(1)], workers: [worker("w1"), worker("w2"), worker("w3")],
                                    locks: LockBook(), now: t0) { _, candidates in
            candidates.map {
                .unavailable($0.name, reason: "window Mon-Fri 09:00-17:00", until: recheck,
                             endsAt: $0.name == "w2" ? windowEnds : windowEnds.addingTimeInterval(60), endsAtZone: "Asia/Tokyo")
            }
        }
        #expect(outcome.decisions.isEmpty)
        let waiting = outcome.waiting[1] ?? []
        #expect(waiting.first == WaitingReason(reason: "all workers unavailable", until: windowEnds, untilZone: "Asia/Tokyo",
                                               recheckAt: recheck))
        #expect(waiting.dropFirst().allSatisfy { $0.kind == .unavailable })
        #expect(waiting.dropFirst().map(\.reason) == ["worker w1 unavailable: window Mon-Fri 09:00-17:00",
                                                       "worker w2 unavailable: window Mon-Fri 09:00-17:00",
                                                       "worker w3 unavailable: window Mon-Fri 09:00-17:00"])
        #expect(waiting.first { $0.worker == "w2" }?.until == windowEnds)
        #expect(outcome.nextCheck == recheck)
    }

    @Test func nextCheckIsTheEarliestFutureUntilOfAnyWaitingRequest() {
        let policy = DistributorPolicy(builders: [builder("a", workers: ["w1"]), builder("b", workers: ["w2"])])
        let outcome = policy.decide(pending: [request(1, "a"), request(2, "b")],
                                    workers: [worker("w1"), worker("w2")], locks: LockBook(), now: t0) { request, c in
            // A stale time (already past) is shown but must not make the actor spin.
            let until = request.id == 1 ? t0.addingTimeInterval(-5) : t0.addingTimeInterval(90)
            return c.map { .unavailable($0.name, reason: "load 4.2 above 3", until: until) }
        }
        #expect(outcome.nextCheck == t0.addingTimeInterval(90))
        #expect(outcome.waiting[1]?.first?.recheckAt == t0.addingTimeInterval(-5))
        #expect(outcome.waiting[1]?.first?.until == nil)
    }

    @Test func severalVerdictsForOneWorkerAreMerged() {
        let outcome = policy.decide(pending: [request(1)], workers: [worker("w1")], locks: LockBook(), now: t0) { _, _ in
            [.advisory("w1", reason: "busy hours"), .unavailable("w1", reason: "agent says no"), .eligible("ghost")]
        }
        #expect(outcome.waiting[1]?.first { $0.worker == "w1" }?.reason == "worker w1 unavailable: busy hours; agent says no")
    }

    @Test func mergeVerdictsKeepsOneVerdictPerWorkerInFirstSeenOrder() {
        let merged = DistributorPolicy.mergeVerdicts([
            [.eligible("w2", rank: 1), .eligible("w1")],
            [.advisory("w2", reason: "x", rank: 2)],
        ])
        #expect(merged.map(\.worker) == ["w2", "w1"])
        #expect(merged[0].kind == .advisory)
        #expect(merged[0].rank == 3)
    }
}

@Suite struct DistributorPolicyReasonTests {
    @Test func noWorkerConnected() {
        let policy = DistributorPolicy(builders: [builder(workers: ["w1", "w2"])])
        let outcome = policy.decide(pending: [request(1)], workers: [], locks: LockBook(), now: t0)
        #expect(reasons(outcome, 1) == ["no worker connected", "worker w1 not connected", "worker w2 not connected"])
        #expect(outcome.waiting[1]?.map(\.worker) == [nil, "w1", "w2"])
        #expect(outcome.nextCheck == nil)
    }

    @Test func aConnectedWorkerMissingFromTheBuildersListIsPointedOut() {
        let policy = DistributorPolicy(builders: [builder(workers: ["w1"])])
        let outcome = policy.decide(pending: [request(1)],
                                    workers: [DistributorPolicy.Worker(name: "w1", isConnected: false), worker("w7")],
                                    locks: LockBook(), now: t0)
        #expect(reasons(outcome, 1).first
            == "no worker connected (w7 is connected but not in the builder's worker list)")
    }

    @Test func pausedWorkerShowsItsReason() {
        let policy = DistributorPolicy(builders: [builder(workers: ["w1"])])
        let paused = DistributorPolicy.Worker(name: "w1", isPaused: true, pauseReason: "maintenance")
        let outcome = policy.decide(pending: [request(1)], workers: [paused], locks: LockBook(), now: t0)
        #expect(reasons(outcome, 1) == ["worker w1 paused: maintenance", "worker w1 paused: maintenance"])
        #expect(outcome.waiting[1]?.last?.worker == "w1")
    }

    @Test func mixedCausesAreCounted() {
        let policy = DistributorPolicy(builders: [builder(workers: ["w1", "w2", "w3", "w4"])])
        let outcome = policy.decide(
            pending: [request(1)],
            workers: [worker("w1", running: 1), DistributorPolicy.Worker(name: "w2", isPaused: true),
                      worker("w3", running: 1), worker("w4")],
            locks: LockBook(), now: t0
        ) { _, c in c.map { .unavailable($0.name, reason: "load 9 above 3") } }
        #expect(reasons(outcome, 1) == [
            "no usable worker (1 paused, 2 busy, 1 unavailable)",
            "worker w1 busy (1/1 builds)", "worker w2 paused", "worker w3 busy (1/1 builds)",
            "worker w4 unavailable: load 9 above 3",
        ])
    }

    @Test func unknownBuilderAndEmptyWorkerList() {
        let policy = DistributorPolicy(builders: [builder("empty", workers: [])])
        let outcome = policy.decide(pending: [request(1, "gone"), request(2, "empty")],
                                    workers: [worker("w1")], locks: LockBook(), now: t0)
        #expect(reasons(outcome, 1) == ["builder gone is not in the configuration"])
        #expect(reasons(outcome, 2) == ["builder empty lists no workers"])
    }

    @Test func gatedWorkerIsSkippedWithTheGatesReason() {
        let policy = DistributorPolicy(builders: [builder(workers: ["w1", "w2"])])
        let retry = t0.addingTimeInterval(30)
        let excluded: [Int64: [String: DistributorPolicy.Exclusion]] =
            [1: ["w1": .init(reason: "waiting for a slot from the agent on host-a", until: retry)]]

        let other = policy.decide(pending: [request(1)], workers: [worker("w1"), worker("w2")],
                                  locks: LockBook(), excluded: excluded, now: t0)
        #expect(started(other) == ["1@w2"])

        let only = policy.decide(pending: [request(1), request(2, at: 1)], workers: [worker("w1"), worker("w2", running: 1)],
                                 locks: LockBook(), excluded: excluded, now: t0)
        // Request 1 waits for the gate; w1 goes to request 2, which the gate did not turn down.
        #expect(started(only) == ["2@w1"])
        #expect(only.waiting[1]?.contains(WaitingReason(
            worker: "w1", reason: "worker w1: waiting for a slot from the agent on host-a", kind: .notAdmitted,
            until: retry, recheckAt: retry)) == true)
        #expect(only.nextCheck == retry)
    }
}

@Suite struct DistributorPolicyLockTests {
    @Test func noWorkerIsTakenWhileWaitingForALock() {
        let policy = DistributorPolicy(builders: [
            builder("deploy", workers: ["w1"], locks: [LockAccess(name: "prod", access: .exclusive)]),
            builder("test", workers: ["w1"]),
        ])
        var book = LockBook(specs: [LockSpec(name: "prod")])
        book.acquire([LockAccess(name: "prod")], worker: "w9", owner: .build(12))
        let outcome = policy.decide(pending: [request(1, "deploy", at: 0), request(2, "test", at: 1)],
                                    workers: [worker("w1")], locks: book, now: t0)
        #expect(started(outcome) == ["2@w1"])
        #expect(reasons(outcome, 1) == ["waiting for lock prod (held by build 12)"])
        #expect(outcome.locks.waiters(of: LockKey(name: "prod")) == [.request(1)])
        #expect(outcome.locks.locks(heldBy: .request(2)).isEmpty)
    }

    @Test func decisionsReserveTheirLocksSoOnePassDoesNotOvergrant() {
        let policy = DistributorPolicy(builders: [builder(workers: ["w1", "w2"], locks: [LockAccess(name: "db")])])
        let outcome = policy.decide(pending: [request(1), request(2, at: 1)], workers: [worker("w1"), worker("w2")],
                                    locks: LockBook(specs: [LockSpec(name: "db", maxCount: 1)]), now: t0)
        #expect(started(outcome) == ["1@w1"])
        #expect(outcome.decisions.first?.locks == [LockAccess(name: "db")])
        #expect(outcome.locks.locks(heldBy: .request(1)) == [LockKey(name: "db")])
        // w2 is free but the lock is not; w1 went to request 1.
        #expect(reasons(outcome, 2) == ["waiting for lock db (held by request 1)", "worker w1 busy (1/1 builds)"])
    }

    @Test func workerLocksAreCheckedPerWorkerWithOverrides() {
        let policy = DistributorPolicy(builders: [builder(workers: ["w1", "w2"], locks: [LockAccess(name: "cpu")])])
        let book = LockBook(specs: [LockSpec(name: "cpu", kind: .worker, maxCount: 1, maxCountForWorker: ["w2": 2])])
        let outcome = policy.decide(pending: (1...4).map { request(Int64($0), at: Double($0)) },
                                    workers: [worker("w1", max: 5), worker("w2", max: 5)], locks: book, now: t0)
        // 3: w1 (fewest builds, then name) has its cpu lock taken, so w2 is tried next.
        #expect(started(outcome) == ["1@w1", "2@w2", "3@w2"])
        #expect(reasons(outcome, 4) == [
            "waiting for lock cpu on w1 (held by request 1)",
            "waiting for lock cpu on w1 (held by request 1)",
            "waiting for lock cpu on w2 (held by request 2, request 3)",
        ])
        #expect(reasons(outcome, 4).count == 3)
        #expect(outcome.locks.waiters(of: LockKey(name: "cpu", worker: "w1")) == [.request(4)])
        #expect(outcome.locks.waiters(of: LockKey(name: "cpu", worker: "w2")) == [.request(4)])
    }

    @Test func exclusiveRequestIsNotStarvedByLaterCountingRequestsAcrossPasses() {
        let policy = DistributorPolicy(builders: [
            builder("release", workers: ["w1"], locks: [LockAccess(name: "cpu", access: .exclusive)]),
            builder("test", workers: ["w1"], locks: [LockAccess(name: "cpu")]),
        ])
        let workers = [worker("w1", max: 5, running: 1)]
        var book = LockBook(specs: [LockSpec(name: "cpu", maxCount: 3)])
        book.acquire([LockAccess(name: "cpu")], worker: "w1", owner: .build(1))

        // The exclusive request queues; a later counting one would fit but must not pass it.
        let first = policy.decide(pending: [request(1, "release", at: 0), request(2, "test", at: 1)],
                                  workers: workers, locks: book, now: t0)
        #expect(first.decisions.isEmpty)
        #expect(reasons(first, 1) == ["waiting for lock cpu (held by build 1)"])
        #expect(reasons(first, 2) == ["waiting for lock cpu (queued behind request 1)"])

        // A higher-priority counting request arriving later still queues behind it.
        book = first.locks
        let second = policy.decide(pending: [request(1, "release", at: 0), request(2, "test", at: 1),
                                             request(3, "test", priority: 10, at: 2)],
                                   workers: workers, locks: book, now: t0)
        #expect(second.decisions.isEmpty)
        #expect(reasons(second, 3) == ["waiting for lock cpu (queued behind request 1, request 2)"])

        // The running build ends: the exclusive request goes first.
        book = second.locks
        book.release(owner: .build(1))
        let third = policy.decide(pending: [request(1, "release", at: 0), request(2, "test", at: 1),
                                            request(3, "test", priority: 10, at: 2)],
                                  workers: [worker("w1", max: 5)], locks: book, now: t0)
        #expect(started(third) == ["1@w1"])
        #expect(reasons(third, 2) == ["waiting for lock cpu (held by request 1)"])
        #expect(third.locks.waiters(of: LockKey(name: "cpu")) == [.request(2), .request(3)])
    }

    @Test func aRequestWithoutAUsableWorkerLeavesTheLockQueue() {
        let policy = DistributorPolicy(builders: [
            builder("release", workers: ["w1"], locks: [LockAccess(name: "cpu", access: .exclusive)]),
            builder("test", workers: ["w2"], locks: [LockAccess(name: "cpu")]),
        ])
        var book = LockBook(specs: [LockSpec(name: "cpu", maxCount: 3)])
        book.acquire([LockAccess(name: "cpu")], worker: nil, owner: .build(1))
        book.enqueue([LockAccess(name: "cpu", access: .exclusive)], worker: nil, owner: .request(1))
        // w1 went away: request 1 no longer waits for the lock and must not hold back request 2.
        let outcome = policy.decide(pending: [request(1, "release", at: 0), request(2, "test", at: 1)],
                                    workers: [worker("w2")], locks: book, now: t0)
        #expect(started(outcome) == ["2@w2"])
        #expect(reasons(outcome, 1).first?.hasPrefix("no worker connected") == true)
        #expect(!outcome.locks.isWaiting(.request(1)))
    }

    @Test func waitersOfRequestsNoLongerPendingAreDropped() {
        let policy = DistributorPolicy(builders: [builder(workers: ["w1"], locks: [LockAccess(name: "cpu")])])
        var book = LockBook(specs: [LockSpec(name: "cpu", maxCount: 2)])
        book.acquire([LockAccess(name: "cpu")], worker: nil, owner: .build(1))
        book.enqueue([LockAccess(name: "cpu", access: .exclusive)], worker: nil, owner: .request(99))
        book.enqueue([LockAccess(name: "cpu", access: .exclusive)], worker: nil, owner: .step(build: 1, step: 2))
        let outcome = policy.decide(pending: [request(1)], workers: [worker("w1")], locks: book, now: t0)
        #expect(!outcome.locks.isWaiting(.request(99)))
        // Steps of running builds keep their place.
        #expect(outcome.locks.isWaiting(.step(build: 1, step: 2)))
        #expect(reasons(outcome, 1) == ["waiting for lock cpu (queued behind build 1 step 2)"])
    }
}

@Suite struct DistributorPolicyReuseTests {
    /// Reasons shared by a builder's later requests within a pass are the same as if each
    /// had been evaluated; a request a gate excluded still gets its own.
    @Test func laterRequestsOfABuilderWithNoFreeWorkerGetTheSameReasons() {
        let policy = DistributorPolicy(builders: [builder(workers: ["w1", "w2"])])
        let pending = (1...4).map { request(Int64($0), at: Double($0)) }
        let outcome = policy.decide(pending: pending, workers: [worker("w1"), worker("w2")], locks: LockBook(),
                                    excluded: [4: ["w1": .init(reason: "slot busy")]], now: t0)
        #expect(started(outcome) == ["1@w1", "2@w2"])
        #expect(reasons(outcome, 3).contains("all workers busy"))
        #expect(reasons(outcome, 3).contains("worker w1 busy (1/1 builds)"))
        #expect(reasons(outcome, 4).contains("worker w1: slot busy"))

        let evaluatedAlone = policy.decide(pending: [request(3, at: 3)],
                                           workers: [worker("w1", running: 1), worker("w2", running: 1)],
                                           locks: LockBook(), now: t0)
        #expect(outcome.waiting[3] == evaluatedAlone.waiting[3])
    }
}
