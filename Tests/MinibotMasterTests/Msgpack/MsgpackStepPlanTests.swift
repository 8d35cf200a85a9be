import MinibotCore
@testable import MinibotMaster
import MinibotProtocol
import Testing

/// Which commands a step takes on a stock worker and how their results end it.
struct MsgpackStepPlanTests {
    typealias Result = MsgpackStepPlan.CommandResult

    static func step(_ action: StepCommand, timeout: Double? = nil, revision: String? = nil,
                     branch: String? = nil) -> MasterMessage.StartStep {
        MasterMessage.StartStep(buildID: 7, step: 2, builder: "b", name: "s", workdir: "b/build", action: action,
                                timeout: timeout, revision: revision, branch: branch)
    }

    static func argv(_ next: MsgpackStepPlan.Next) -> [String]? {
        guard case .run(let command) = next, case .argv(let argv) = command.command else { return nil }
        return argv
    }

    static func finished(_ next: MsgpackStepPlan.Next) -> WorkerMessage.StepFinished? {
        if case .finished(let f) = next { return f }
        return nil
    }

    @Test func aShellStepIsOneCommandAndItsExitCodeDecides() {
        var plan = MsgpackStepPlan(step: Self.step(.shell(.script("make"))))
        #expect(plan.next(after: nil) == .run(.init(command: .script("make"))))
        #expect(Self.finished(plan.next(after: Result(rc: 0)))?.result == .success)

        var failing = MsgpackStepPlan(step: Self.step(.shell(.argv(["false"]))))
        _ = failing.next(after: nil)
        let failed = Self.finished(failing.next(after: Result(rc: 1)))
        #expect(failed?.result == .failure)
        #expect(failed?.exitCode == 1)
    }

    @Test func timeoutsErrorsAndMissingExitCodes() {
        var timed = MsgpackStepPlan(step: Self.step(.shell(.argv(["sleep", "9"])), timeout: 2))
        _ = timed.next(after: nil)
        let t = Self.finished(timed.next(after: Result(rc: -1, failureReason: "timeout")))
        #expect(t?.result == .failure)
        #expect(t?.reason == "timed out after 2 s")

        var broken = MsgpackStepPlan(step: Self.step(.shell(.argv(["x"]))))
        _ = broken.next(after: nil)
        let b = Self.finished(broken.next(after: Result(error: "[Failure instance: …]")))
        #expect(b?.result == .exception)

        var silent = MsgpackStepPlan(step: Self.step(.shell(.argv(["x"]))))
        _ = silent.next(after: nil)
        #expect(Self.finished(silent.next(after: Result()))?.result == .exception)
    }

    @Test func aFreshGitCheckoutClonesChecksOutTheRevisionAndReadsHEAD() {
        let revision = String(repeating: "ab", count: 20)
        var plan = MsgpackStepPlan(step: Self.step(.git(.init(repository: "/srv/repo.git", mode: .full)),
                                                   revision: revision, branch: "main"))
        #expect(Self.argv(plan.next(after: nil)) == ["git", "--version"])
        #expect(Self.argv(plan.next(after: Result(rc: 0))) == ["test", "-d", ".git"])
        #expect(Self.argv(plan.next(after: Result(rc: 1))) == ["git", "clone", "--no-checkout", "/srv/repo.git", "."])
        #expect(Self.argv(plan.next(after: Result(rc: 0))) == ["git", "checkout", "--force", "--detach", revision])
        #expect(Self.argv(plan.next(after: Result(rc: 0))) == ["git", "clean", "-f", "-f", "-d", "-x"])
        let revParse = plan.next(after: Result(rc: 0))
        #expect(revParse == .run(.init(command: .argv(["git", "rev-parse", "HEAD"]), captureStdout: true)))
        let done = Self.finished(plan.next(after: Result(rc: 0, stdout: revision + "\n")))
        #expect(done?.result == .success)
        #expect(done?.properties == ["got_revision": revision])
    }

    @Test func anExistingCloneIsFetchedAndTheBranchTipUsedWithoutARevision() {
        var plan = MsgpackStepPlan(step: Self.step(.git(.init(repository: "https://example.org/r.git")), branch: "dev"))
        _ = plan.next(after: nil)
        _ = plan.next(after: Result(rc: 0))
        #expect(Self.argv(plan.next(after: Result(rc: 0)))?.prefix(2) == ["git", "fetch"])
        #expect(Self.argv(plan.next(after: Result(rc: 0))) == ["git", "checkout", "--force", "--detach", "origin/dev"])
        // Incremental: no clean.
        #expect(Self.argv(plan.next(after: Result(rc: 0))) == ["git", "rev-parse", "HEAD"])
        #expect(Self.finished(plan.next(after: Result(rc: 0, stdout: "not a revision")))?.result == .failure)
    }

    @Test func aMissingGitOrAFailingGitCommandFailsTheStepSayingWhy() {
        var missing = MsgpackStepPlan(step: Self.step(.git(.init(repository: "/r"))))
        _ = missing.next(after: nil)
        let m = Self.finished(missing.next(after: Result(rc: 1)))
        #expect(m?.result == .failure)
        #expect(m?.reason == "git is not installed on the worker (or not on its PATH)")

        var failing = MsgpackStepPlan(step: Self.step(.git(.init(repository: "/r"))))
        _ = failing.next(after: nil)
        _ = failing.next(after: Result(rc: 0))
        _ = failing.next(after: Result(rc: 1))
        let f = Self.finished(failing.next(after: Result(rc: 128)))
        #expect(f?.result == .failure)
        #expect(f?.reason == "git clone failed with exit code 128")
    }
}
