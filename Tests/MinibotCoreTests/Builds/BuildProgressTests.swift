import MinibotCore
import Testing

@Suite("BuildProgress: the build lifecycle")
struct BuildProgressTests {
    private func progress(_ steps: BuildProgress.Step...) -> BuildProgress {
        BuildProgress(steps: steps)
    }

    /// Runs steps with these results and returns the final action.
    private func run(_ p: inout BuildProgress, results: [BuildResult]) -> [BuildProgress.Action] {
        var actions = p.handle(.started)
        for r in results {
            guard case .runStep = actions.last else { return actions }
            actions = p.handle(.stepFinished(r))
        }
        return actions
    }

    @Test func noStepsSucceedAtOnce() {
        var p = progress()
        #expect(p.stateString == "starting")
        #expect(p.handle(.started) == [.finish(.success, stateString: "build successful")])
        #expect(p.isFinished)
    }

    @Test func stepsRunInOrderWithAStateString() {
        var p = progress(.init(name: "checkout"), .init(name: "compile"))
        #expect(p.handle(.started) == [.runStep(0)])
        #expect(p.stateString == "running step 1/2: checkout")
        #expect(p.handle(.stepFinished(.success)) == [.runStep(1)])
        #expect(p.stateString == "running step 2/2: compile")
        #expect(p.phase == .running(step: 1))
        #expect(p.handle(.stepFinished(.skipped)) == [.finish(.success, stateString: "build successful")])
        #expect(p.isFinished)
    }

    @Test func failureHaltsByDefault() {
        var p = progress(.init(name: "test"), .init(name: "deploy"))
        #expect(run(&p, results: [.failure]) == [.finish(.failure, stateString: "failed test")])
    }

    @Test func failureWithoutHaltGoesOnAndKeepsTheWorstResult() {
        var p = progress(.init(name: "lint", haltOnFailure: false), .init(name: "test"))
        #expect(run(&p, results: [.failure, .success]) == [.finish(.failure, stateString: "failed lint")])
    }

    @Test func warnOnFailureCountsAsWarnings() {
        var p = progress(.init(name: "lint", haltOnFailure: false, flunkOnFailure: false, warnOnFailure: true),
                         .init(name: "test"))
        #expect(run(&p, results: [.failure, .success]) == [.finish(.warnings, stateString: "warnings in lint")])
    }

    @Test func aFailureThatNeitherFlunksNorWarnsDoesNotCount() {
        var p = progress(.init(name: "optional", haltOnFailure: false, flunkOnFailure: false), .init(name: "test"))
        #expect(run(&p, results: [.failure, .success]) == [.finish(.success, stateString: "build successful")])
    }

    @Test func haltWithoutFlunkStopsWithTheResultSoFar() {
        var p = progress(.init(name: "probe", haltOnFailure: true, flunkOnFailure: false), .init(name: "test"))
        #expect(run(&p, results: [.failure]) == [.finish(.success, stateString: "build successful")])
    }

    @Test func warningsFoldAndAFailureAfterThemWins() {
        var p = progress(.init(name: "a"), .init(name: "b"))
        #expect(run(&p, results: [.warnings, .failure]) == [.finish(.failure, stateString: "failed b")])
        var q = progress(.init(name: "a"), .init(name: "b"))
        #expect(run(&q, results: [.warnings, .success]) == [.finish(.warnings, stateString: "warnings in a")])
    }

    @Test func exceptionRetryAndCancelledEndAtOnce() {
        var e = progress(.init(name: "a", haltOnFailure: false), .init(name: "b"))
        #expect(run(&e, results: [.exception]) == [.finish(.exception, stateString: "exception in a")])
        var r = progress(.init(name: "a"), .init(name: "b"))
        #expect(run(&r, results: [.retry]) == [.finish(.retry, stateString: "retry requested by a")])
        var c = progress(.init(name: "a"), .init(name: "b"))
        #expect(run(&c, results: [.cancelled]) == [.finish(.cancelled, stateString: "cancelled: interrupted")])
    }

    @Test func stopInterruptsTheRunningStepAndEndsCancelled() {
        var p = progress(.init(name: "long"), .init(name: "after"))
        _ = p.handle(.started)
        #expect(p.handle(.stopRequested(.cancel, reason: "by alice")) == [.interruptStep(0, reason: "by alice")])
        #expect(p.handle(.stepFinished(.cancelled)) == [.finish(.cancelled, stateString: "cancelled: by alice")])
    }

    @Test func stopForARerunEndsRetry() {
        var p = progress(.init(name: "long"))
        _ = p.handle(.started)
        _ = p.handle(.stopRequested(.retry, reason: "host slot lost"))
        #expect(p.handle(.stepFinished(.cancelled))
            == [.finish(.retry, stateString: "stopped to run again: host slot lost")])
    }

    @Test func aStepThatFinishesDespiteTheStopStillEndsTheBuild() {
        var p = progress(.init(name: "a"), .init(name: "b"))
        _ = p.handle(.started)
        _ = p.handle(.stopRequested(.cancel, reason: "stop"))
        #expect(p.handle(.stepFinished(.success)) == [.finish(.cancelled, stateString: "cancelled: stop")])
    }

    @Test func theFirstStopIsKept() {
        var p = progress(.init(name: "a"))
        _ = p.handle(.started)
        _ = p.handle(.stopRequested(.cancel, reason: "first"))
        _ = p.handle(.stopRequested(.retry, reason: "second"))
        #expect(p.stopRequest == .init(kind: .cancel, reason: "first"))
    }

    @Test func aStopBeforeTheStartEndsTheBuildWhenItStarts() {
        var p = progress(.init(name: "a"))
        #expect(p.handle(.stopRequested(.cancel, reason: "early")) == [])
        #expect(p.handle(.started) == [.finish(.cancelled, stateString: "cancelled: early")])
    }

    @Test func aStopAfterTheEndDoesNothing() {
        var p = progress(.init(name: "a"))
        _ = run(&p, results: [.success])
        #expect(p.handle(.stopRequested(.cancel, reason: "late")) == [])
        #expect(p.handle(.stepFinished(.failure)) == [])
        #expect(p.phase == .finished(.success, stateString: "build successful"))
    }

    @Test func lockedStepsWaitForTheirLocksFirst() {
        var p = progress(.init(name: "deploy", waitsForLocks: true))
        #expect(p.handle(.started) == [.acquireLocks(step: 0)])
        #expect(p.stateString == "step 1/1: deploy waiting for locks")
        #expect(p.handle(.locksGranted) == [.runStep(0)])
    }

    @Test func aStopDuringALockWaitAbandonsIt() {
        var p = progress(.init(name: "deploy", waitsForLocks: true))
        _ = p.handle(.started)
        #expect(p.handle(.stopRequested(.cancel, reason: "no")) == [.abandonLockWait(step: 0)])
        #expect(p.handle(.lockWaitAbandoned)
            == [.finish(.cancelled, stateString: "cancelled while deploy waited for a lock: no")])
    }

    @Test func locksGrantedAfterAStopDoNotRunTheStep() {
        var p = progress(.init(name: "deploy", waitsForLocks: true))
        _ = p.handle(.started)
        _ = p.handle(.stopRequested(.retry, reason: "again"))
        #expect(p.handle(.locksGranted) == [.finish(.retry, stateString: "stopped to run again: again")])
    }

    @Test func anAbandonedWaitWithoutAStopSaysSo() {
        var p = progress(.init(name: "deploy", waitsForLocks: true))
        _ = p.handle(.started)
        #expect(p.handle(.lockWaitAbandoned)
            == [.finish(.cancelled, stateString: "cancelled while deploy waited for a lock: stopped")])
    }

    @Test func aLostWorkerEndsRetry() {
        var p = progress(.init(name: "a"), .init(name: "b"))
        _ = p.handle(.started)
        #expect(p.handle(.workerLost(worker: "w1")) == [.finish(.retry, stateString: "worker w1 lost")])
        #expect(p.handle(.stepFinished(.success)) == [])
    }

    @Test func aLostClaimInterruptsAndEndsRetry() {
        var p = progress(.init(name: "a"))
        _ = p.handle(.started)
        #expect(p.handle(.claimLost) == [
            .interruptStep(0, reason: "claim lost"),
            .finish(.retry, stateString: "claim lost: another master owns this request now"),
        ])
    }

    @Test func eventsOutOfPhaseAreIgnored() {
        var p = progress(.init(name: "a"))
        #expect(p.handle(.stepFinished(.success)) == [])
        #expect(p.handle(.locksGranted) == [])
        _ = p.handle(.started)
        #expect(p.handle(.started) == [])
        #expect(p.handle(.lockWaitAbandoned) == [])
    }

    @Test func stepStateStrings() {
        #expect(BuildProgress.stepStateString(name: "t", result: .success, exitCode: 0, signal: nil) == "t done")
        #expect(BuildProgress.stepStateString(name: "t", result: .failure, exitCode: 2, signal: nil)
            == "t failed (exit code 2)")
        #expect(BuildProgress.stepStateString(name: "t", result: .failure, exitCode: nil, signal: 9)
            == "t failed (signal 9)")
        #expect(BuildProgress.stepStateString(name: "t", result: .failure, exitCode: nil, signal: nil) == "t failed")
        #expect(BuildProgress.stepStateString(name: "t", result: .cancelled, exitCode: nil, signal: nil) == "t cancelled")
        #expect(BuildProgress.stepStateString(name: "t", result: .warnings, exitCode: 0, signal: nil) == "t warnings")
    }
}
