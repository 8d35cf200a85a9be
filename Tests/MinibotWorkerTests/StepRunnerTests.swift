import Foundation
import MinibotCore
import MinibotProtocol
import Testing
@testable import MinibotWorker

/// Real shell steps in temp directories.
@Suite("StepRunner")
struct StepRunnerTests {
    func step(_ action: StepCommand, workdir: String = "builder/build", env: [String: String] = [:],
              timeout: Double? = 120) -> MasterMessage.StartStep {
        .init(buildID: 7, step: 2, builder: "builder", name: "test step", workdir: workdir, action: action,
              env: env, timeout: timeout)
    }

    func script(_ text: String, timeout: Double? = 120) -> MasterMessage.StartStep {
        step(.shell(.script(text)), timeout: timeout)
    }

    @Test func outputStreamsWhileTheStepRuns() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let gate = dir.file("gate")
        // The step cannot finish before the test saw its first line: only then is the gate made.
        let recorder = OutputRecorder { stream, text in
            if stream == .stdout, text.contains("first line") {
                _ = FileManager.default.createFile(atPath: gate, contents: nil)
            }
        }
        let runner = StepRunner(configuration: .init(basedir: dir.path))
        let finished = await runner.run(script("echo first line; while [ ! -e '\(gate)' ]; do sleep 0.02; done; echo second line",
                                               timeout: 60), output: recorder.sink)
        #expect(finished.result == .success)
        #expect(finished.exitCode == 0)
        #expect(recorder.text(.stdout) == "first line\nsecond line\n")
        #expect(finished.buildID == 7 && finished.step == 2)
    }

    @Test func headerNamesCommandAndDirectory() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let recorder = OutputRecorder()
        let runner = StepRunner(configuration: .init(basedir: dir.path))
        _ = await runner.run(step(.shell(.argv(["true"])), timeout: 1200), output: recorder.sink)
        let header = recorder.text(.header)
        #expect(header.hasPrefix("true\n in dir \(dir.path)/builder/build (timeout 20 min)\n"))
        #expect(header.contains("program finished with exit code 0"))
    }

    @Test(arguments: zip([0, 1, 42] as [Int32], [BuildResult.success, .failure, .failure]))
    func exitCodeDecidesResult(code: Int32, expected: BuildResult) async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let finished = await StepRunner(configuration: .init(basedir: dir.path))
            .run(script("exit \(code)"), output: OutputRecorder().sink)
        #expect(finished.result == expected)
        #expect(finished.exitCode == code)
        #expect(finished.signal == nil)
    }

    @Test func signalIsAFailureWithTheSignal() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let finished = await StepRunner(configuration: .init(basedir: dir.path))
            .run(script("kill -TERM $$"), output: OutputRecorder().sink)
        #expect(finished.result == .failure)
        #expect(finished.signal == SIGTERM)
        #expect(finished.exitCode == nil)
    }

    @Test func argvIsNotSplitByAShellButScriptsAre() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let runner = StepRunner(configuration: .init(basedir: dir.path))
        let argv = OutputRecorder()
        let a = await runner.run(step(.shell(.argv(["printf", "%s|", "a b", "$HOME", "c"]))), output: argv.sink)
        #expect(a.result == .success)
        #expect(argv.text(.stdout) == "a b|$HOME|c|")
        let sh = OutputRecorder()
        let s = await runner.run(script("echo $((1 + 2)) >&2; echo out"), output: sh.sink)
        #expect(s.result == .success)
        #expect(sh.text(.stderr) == "3\n")
        #expect(sh.text(.stdout) == "out\n")
    }

    @Test func envAndWorkdir() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let recorder = OutputRecorder()
        let finished = await StepRunner(configuration: .init(basedir: dir.path)).run(
            step(.shell(.script("pwd; echo \"$MINIBOT_STEP_VAR\"; test -n \"$PATH\" && echo has-path")),
                 workdir: "linux/build", env: ["MINIBOT_STEP_VAR": "from the step"]),
            output: recorder.sink)
        #expect(finished.result == .success)
        let resolved = URL(fileURLWithPath: dir.path).resolvingSymlinksInPath().path
        let lines = recorder.text(.stdout).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect([dir.path + "/linux/build", resolved + "/linux/build"].contains(lines.first ?? ""))
        #expect(lines.dropFirst().first == "from the step")
        #expect(lines.last == "has-path")
        #expect(recorder.text(.header).contains(" MINIBOT_STEP_VAR=from the step"))
    }

    @Test func workdirOutsideTheBaseDirectoryIsRefused() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let finished = await StepRunner(configuration: .init(basedir: dir.path))
            .run(step(.shell(.argv(["true"])), workdir: "../escape"), output: OutputRecorder().sink)
        #expect(finished.result == .exception)
        #expect(finished.reason?.contains("inside the worker's base directory") == true)
    }

    @Test func timeoutKillsTheWholeProcessGroup() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let pidFile = dir.file("grandchild.pid")
        let recorder = OutputRecorder()
        let finished = await StepRunner(configuration: .init(basedir: dir.path))
            .run(script("sleep 300 & echo $! > '\(pidFile)'; sleep 300", timeout: 0.5), output: recorder.sink)
        #expect(finished.result == .failure)
        #expect(finished.reason == "timed out after 1 s")
        #expect(recorder.text(.header).contains("timed out after 1 s"))
        let grandchild = try #require(readPID(pidFile))
        try await waitForExit(of: grandchild, "the background grandchild \(grandchild) to die")
    }

    @Test func backgroundLeftoversAreKilledAfterASuccessfulStep() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let pidFile = dir.file("leftover.pid")
        let finished = await StepRunner(configuration: .init(basedir: dir.path))
            .run(script("sleep 300 & echo $! > '\(pidFile)'; echo done"), output: OutputRecorder().sink)
        #expect(finished.result == .success)
        let leftover = try #require(readPID(pidFile))
        try await waitForExit(of: leftover, "the leftover \(leftover) to die")
    }

    @Test func interruptCancelsTheStep() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let control = StepControl()
        let pidFile = dir.file("leader.pid")
        // The sink stops the step once it is demonstrably running.
        let recorder = OutputRecorder { stream, text in
            if stream == .stdout, text.contains("running") { control.stop(.interrupted("stop-build from the web page")) }
        }
        let finished = await StepRunner(configuration: .init(basedir: dir.path))
            .run(script("echo $$ > '\(pidFile)'; echo running; sleep 300"), control: control, output: recorder.sink)
        #expect(finished.result == .cancelled)
        #expect(finished.reason == "interrupted: stop-build from the web page")
        #expect(recorder.text(.header).contains("step interrupted: stop-build from the web page"))
        let leader = try #require(readPID(pidFile))
        try await waitForExit(of: leader, "the step's shell to die")
    }

    @Test func interruptBeforeStartRunsNothing() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let control = StepControl()
        control.stop(.interrupted("too late"))
        let marker = dir.file("ran")
        let finished = await StepRunner(configuration: .init(basedir: dir.path))
            .run(script("touch '\(marker)'"), control: control, output: OutputRecorder().sink)
        #expect(finished.result == .cancelled)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func fiftyMegabytesStreamInBoundedChunks() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let total = 50 * 1024 * 1024
        let recorder = OutputRecorder(keepsText: false)
        let line = String(repeating: "0123456789", count: 10)
        let finished = await StepRunner(configuration: .init(basedir: dir.path))
            .run(script("yes '\(line)' | head -c \(total)"), output: recorder.sink)
        #expect(finished.result == .success)
        #expect(recorder.bytes(.stdout) == total)
        #expect(recorder.largestChunk <= WorkerWire.outputChunkBytes)
        #expect(recorder.chunks(.stdout) >= total / WorkerWire.outputChunkBytes)
    }

    @Test func missingCommandFailsTheStepWithAReason() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let recorder = OutputRecorder()
        let finished = await StepRunner(configuration: .init(basedir: dir.path))
            .run(step(.shell(.argv(["minibot-no-such-command", "x"]))), output: recorder.sink)
        #expect(finished.result == .failure)
        #expect(finished.reason?.contains("command not found: minibot-no-such-command") == true)
        #expect(recorder.text(.header).contains("command not found"))

        let viaShell = await StepRunner(configuration: .init(basedir: dir.path))
            .run(script("minibot-no-such-command"), output: OutputRecorder().sink)
        #expect(viaShell.result == .failure)
        #expect(viaShell.exitCode == 127)
    }

    @Test func gitStepReportsGotRevision() async throws {
        struct FakeCheckout: CheckoutPerformer {
            func checkout(repository: String, branch: String?, revision: String?, mode: StepCommand.GitCheckout.Mode,
                          into directory: String) async throws -> String {
                #expect(repository == "/srv/git/demo.git")
                #expect(branch == "main")
                #expect(mode == .full)
                #expect(directory.hasSuffix("/builder/build"))
                return revision ?? "deadbeef"
            }
        }
        let dir = try TempDirectory()
        defer { dir.remove() }
        let runner = StepRunner(configuration: .init(basedir: dir.path), checkout: FakeCheckout())
        let finished = await runner.run(step(.git(.init(repository: "/srv/git/demo.git", mode: .full, branch: "main"))),
                                        output: OutputRecorder().sink)
        #expect(finished.result == .success)
        #expect(finished.properties == ["got_revision": "deadbeef"])

        let unavailable = await StepRunner(configuration: .init(basedir: dir.path))
            .run(step(.git(.init(repository: "/srv/git/demo.git"))), output: OutputRecorder().sink)
        #expect(unavailable.result == .failure)
        #expect(unavailable.reason?.contains("git checkout not available") == true)
    }
}

@Suite struct StepGroupLedgerTests {
    @Test func onlyOurGroupsAreLeftovers() {
        #expect(StepGroupLedger.isLeftover(recorded: "123", current: nil), "no process has the pid: the group is ours")
        #expect(StepGroupLedger.isLeftover(recorded: "123", current: "123"))
        #expect(!StepGroupLedger.isLeftover(recorded: "123", current: "456"), "the pid was reused")
        #expect(!StepGroupLedger.isLeftover(recorded: "", current: "456"))
    }

    @Test func startTimeOfThisProcess() {
        #expect(StepGroupLedger.startTime(of: getpid()) != nil)
        #expect(StepGroupLedger.startTime(of: Int32.max) == nil)
    }
}
