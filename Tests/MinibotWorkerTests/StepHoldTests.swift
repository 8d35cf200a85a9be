import Foundation
import MinibotCore
import MinibotProtocol
import Testing
@testable import MinibotWorker

/// Holding a step for an unavailable worker (``StepHold``): what a suspended step's timeout
/// counts, a step of a suspended build waiting, holds kept for a build's later steps, and
/// the wire's compatibility.
@Suite("Step holds")
struct StepHoldTests {
    func script(_ text: String, buildID: Int64 = 7) -> MasterMessage.StartStep {
        .init(buildID: buildID, step: 0, builder: "builder", name: "held step", workdir: "builder/build",
              action: .shell(.script(text)), timeout: 120)
    }

    /// While suspended the running time stands still, so the step's timeout cannot run out.
    @Test func runningTimeStandsStillWhileSuspended() async {
        let control = StepControl()
        let start = ContinuousClock().now
        control.hold(.suspend)
        let first = control.runningTime(since: start)
        await Task.yield()
        #expect(control.runningTime(since: start) == first)
        control.hold(.resume)
        #expect(!control.isSuspended)
    }

    /// Starts a `touch MARKER` step under a suspended `control` and returns once the runner
    /// waits for it to be resumed (it must not have run yet); `finish` then resumes or stops it.
    func heldStep(finish: (StepControl) -> Void) async throws -> (WorkerMessage.StepFinished, ran: Bool) {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let marker = dir.file("ran")
        let control = StepControl()
        control.hold(.suspend)
        let runner = StepRunner(configuration: .init(basedir: dir.path))
        let task = Task { await runner.run(script("touch '\(marker)'"), control: control, output: OutputRecorder().sink) }
        // Waits on the runner reaching its hold, yielding to it; a runner that ignored the hold
        // would finish instead, and the test fails.
        var yields = 0
        while control.waitingToStart == 0, yields < 1_000_000 {
            await Task.yield()
            yields += 1
        }
        #expect(control.waitingToStart == 1, "the step did not wait for its hold")
        #expect(!FileManager.default.fileExists(atPath: marker), "a held step ran")
        finish(control)
        let result = await task.value
        return (result, FileManager.default.fileExists(atPath: marker))
    }

    /// A step of a suspended build does not run until it is resumed.
    @Test func aSuspendedStepRunsOnceResumed() async throws {
        let (finished, ran) = try await heldStep { $0.hold(.resume) }
        #expect(finished.result == .success)
        #expect(ran)
    }

    /// Interrupting a step that waits to start ends it CANCELLED without running it.
    @Test func anInterruptedSuspendedStepNeverRuns() async throws {
        let (finished, ran) = try await heldStep { $0.stop(.interrupted("stop requested")) }
        #expect(finished.result == .cancelled)
        #expect(!ran)
    }

    /// A build's hold reaches its running steps and those that start later, until `resume`.
    @Test func aBuildsHoldAppliesToItsLaterSteps() async {
        let table = StepTable()
        let running = StepControl()
        _ = await table.insert(.init(buildID: 7, step: 0), running)
        await table.hold(buildID: 7, .suspend)
        #expect(running.isSuspended)
        let later = StepControl()
        let other = StepControl()
        _ = await table.insert(.init(buildID: 7, step: 1), later)
        _ = await table.insert(.init(buildID: 8, step: 0), other)
        #expect(later.isSuspended && !other.isSuspended)
        await table.hold(buildID: 7, .resume)
        #expect(!running.isSuspended && !later.isSuspended)
        let afterResume = StepControl()
        _ = await table.insert(.init(buildID: 7, step: 2), afterResume)
        #expect(!afterResume.isSuspended)

        await table.hold(buildID: 7, .suspend)
        await table.resumeAll()  // a graceful shutdown lets the held steps finish
        #expect(!running.isSuspended && !later.isSuspended)

        await table.hold(buildID: 8, .renice)
        #expect(other.isReniced)
        let reniced = StepControl()
        _ = await table.insert(.init(buildID: 8, step: 1), reniced)
        #expect(reniced.isReniced)
    }

    /// An older worker's hello (no `capabilities`) still decodes; `hold` round-trips.
    @Test func theWireStaysCompatible() throws {
        let info = WorkerInfo(hostname: "h", os: "linux", cpus: 2, version: "1")
        let old = #"{"hello":{"_0":{"name":"w","password":"p","info":{"hostname":"h","os":"linux","cpus":2,"version":"1","facts":{}},"protocolVersion":1}}}"#
        let decoded = try WorkerWire.decoder().decode(WorkerMessage.self, from: Data(old.utf8))
        #expect(decoded == .hello(.init(name: "w", password: "p", info: info)))
        let hold = MasterMessage.hold(buildID: 9, mode: .suspend)
        #expect(try WorkerWire.decoder().decode(MasterMessage.self, from: WorkerWire.encoder().encode(hold)) == hold)
    }
}
