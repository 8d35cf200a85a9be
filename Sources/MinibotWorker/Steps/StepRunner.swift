import Foundation
import MinibotCore
import MinibotProtocol
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs one `startStep` on this machine and says how it ended.
///
/// Shell steps run with swift-subprocess in their own session, so the step leads a process
/// group that can be killed whole; their output is streamed to `output` as it arrives, in
/// chunks of at most ``Configuration/chunkBytes``. Git steps go to the injected
/// ``CheckoutPerformer``. Called by the worker's link, one call per step, concurrently for
/// different steps; `run` never throws: every way a step can end is a `StepFinished`.
public struct StepRunner: Sendable {
    /// Receives a step's log text, in order per stream. The runner waits for it before
    /// reading more, which is what bounds memory when the link is slower than the step.
    public typealias OutputSink = @Sendable (LogStream, String) async -> Void

    public struct Configuration: Sendable {
        /// Steps run in `basedir/<workdir>`.
        public var basedir: String
        public var chunkBytes: Int
        /// A partial line is held back at most this long while the step keeps printing.
        public var flushInterval: Duration
        /// The `minibot-worker` executable that runs each shell step under its
        /// ``StepSupervisor`` (Linux), so the step dies with the worker; nil runs steps
        /// directly (in-process tests, where the running binary is no worker).
        public var supervisor: String?

        public init(basedir: String, chunkBytes: Int = WorkerWire.outputChunkBytes,
                    flushInterval: Duration = .milliseconds(50), supervisor: String? = nil) {
            self.basedir = basedir
            self.chunkBytes = chunkBytes
            self.flushInterval = flushInterval
            self.supervisor = supervisor
        }
    }

    public let configuration: Configuration
    public let checkout: any CheckoutPerformer

    public init(configuration: Configuration, checkout: any CheckoutPerformer = UnavailableCheckout()) {
        self.configuration = configuration
        self.checkout = checkout
    }

    /// Runs `step` to its end. `control` stops it early (interrupt, link lost) or holds it
    /// (``StepHold``: a suspended step starts only once resumed); task cancellation stops it too.
    public func run(_ step: MasterMessage.StartStep, control: StepControl = StepControl(),
                    output: @escaping OutputSink) async -> WorkerMessage.StepFinished {
        let finished = Finisher(step: step, output: output)
        // A step of a build held for its unavailable worker waits here, before anything runs.
        await control.waitWhileSuspended()
        let directory: String
        do {
            directory = try prepareDirectory(step.workdir)
        } catch {
            return await finished.header("\(error)", result: .exception, reason: "\(error)")
        }
        switch step.action {
        case .shell(let command):
            return await runShell(command, step: step, directory: directory, control: control, finished: finished)
        case .git(let spec):
            return await runCheckout(spec, step: step, directory: directory, control: control, finished: finished)
        }
    }

    /// `basedir/workdir`, created when missing. A workdir that is absolute or climbs out of
    /// the base directory is refused: the master only ever sends `BUILDER/WORKDIR`.
    func prepareDirectory(_ workdir: String) throws -> String {
        let parts = workdir.split(separator: "/", omittingEmptySubsequences: true)
        guard !workdir.hasPrefix("/"), !parts.contains("..") else {
            throw StepError("workdir '\(workdir)' must be a path inside the worker's base directory")
        }
        let base = URL(fileURLWithPath: configuration.basedir, isDirectory: true)
        let url = parts.reduce(base) { $0.appendingPathComponent(String($1), isDirectory: true) }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw StepError("cannot create the step directory \(url.path): \(error.localizedDescription); "
                            + "check that the worker may write to its base directory")
        }
        return url.path
    }

    // MARK: shell

    private func runShell(_ command: StepCommand.Shell, step: MasterMessage.StartStep, directory: String,
                          control: StepControl, finished: Finisher) async -> WorkerMessage.StepFinished {
        var executable: Executable
        var arguments: [String]
        switch command {
        case .argv(let argv):
            guard let first = argv.first, !first.isEmpty else {
                return await finished.header("empty command", result: .failure, reason: "the step's command is empty")
            }
            executable = first.contains("/") ? .path(FilePath(first)) : .name(first)
            arguments = Array(argv.dropFirst())
        case .script(let script):
            executable = .path("/bin/sh")
            arguments = ["-c", script]
        }
        await finished.output(.header, Self.headerText(command: command, directory: directory, step: step))
        if let reason = control.stopReason {
            return await finished.stopped(reason, signal: nil)
        }

        #if os(Linux)
        if let supervisor = configuration.supervisor {
            // The same command, under the supervisor that kills its group if the worker dies
            // (it looks a bare name up in PATH, as swift-subprocess does).
            let real: String
            switch command {
            case .argv(let argv): real = argv[0]
            case .script: real = "/bin/sh"
            }
            arguments = StepSupervisor.arguments(workerPID: getpid(), command: [real] + arguments)
            executable = .path(FilePath(supervisor))
        }
        #endif
        let ledger = StepGroupLedger(basedir: configuration.basedir)
        var platform = PlatformOptions()
        platform.createSession = true  // own session and process group: pgid == leader pid
        let overrides = Dictionary(uniqueKeysWithValues: step.env.compactMap { key, value in
            Environment.Key(rawValue: key).map { ($0, Optional(value)) }
        })
        let clock = ContinuousClock()
        let started = clock.now
        let chunkBytes = configuration.chunkBytes
        let flushInterval = configuration.flushInterval
        let output = finished.output
        let timeout = step.timeout

        let status: TerminationStatus
        do {
            let result = try await withTaskCancellationHandler {
                try await Subprocess.run(
                    executable, arguments: Arguments(arguments), environment: .inherit.updating(overrides),
                    workingDirectory: FilePath(directory), platformOptions: platform,
                    input: .none, output: .sequence, error: .sequence
                ) { execution in
                    control.attach(processGroup: execution.processIdentifier.value)
                    // Noted while it runs: a worker restarted after a crash kills what is left.
                    ledger.record(execution.processIdentifier.value)
                    defer { ledger.remove(execution.processIdentifier.value) }
                    await withTaskGroup(of: Bool.self) { group in
                        group.addTask {
                            await Self.pump(execution.standardOutput, .stdout, chunkBytes, flushInterval, output)
                            return true
                        }
                        group.addTask {
                            await Self.pump(execution.standardError, .stderr, chunkBytes, flushInterval, output)
                            return true
                        }
                        if let timeout {
                            group.addTask {
                                // Cancelled when the step ended first; suspended time does not count.
                                await control.enforce(timeout: timeout, since: started)
                                return false
                            }
                        }
                        var pumpsDone = 0
                        while pumpsDone < 2, let isPump = await group.next() {
                            if isPump { pumpsDone += 1 }
                        }
                        group.cancelAll()
                    }
                }
            } onCancel: {
                control.stop(.interrupted("the worker lost its master or is shutting down"))
            }
            // The leader is gone; whatever it left running in its group is not wanted. The
            // pipes already ended with the leader, so their later output is dropped anyway.
            StepControl.killGroup(result.processIdentifier.value)
            status = result.terminationStatus
        } catch let error as SubprocessError {
            if let reason = control.stopReason { return await finished.stopped(reason, signal: nil) }
            return await finished.spawnFailed(error, executable: executable, directory: directory)
        } catch {
            if let reason = control.stopReason { return await finished.stopped(reason, signal: nil) }
            return await finished.header("\(error)", result: .exception, reason: "\(error)")
        }

        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let elapsedText = "elapsedTime=" + String(format: "%.3f", seconds)
        switch status {
        case .exited(let code):
            if let reason = control.stopReason { return await finished.stopped(reason, signal: nil) }
            await finished.output(.header, "program finished with exit code \(code)\n\(elapsedText)\n")
            return finished.result(code == 0 ? .success : .failure, exitCode: code)
        case .signaled(let signal):
            if let reason = control.stopReason { return await finished.stopped(reason, signal: signal) }
            await finished.output(.header, "program terminated by signal \(signal)\n\(elapsedText)\n")
            return finished.result(.failure, signal: signal, reason: "terminated by signal \(signal)")
        }
    }

    /// Reads one pipe to its end and forwards it in chunks. A read shorter than a chunk means
    /// the pipe was drained (the step is not outrunning us), so the partial line goes out at
    /// once; otherwise it waits for its newline, at most `flushInterval`.
    static func pump(_ sequence: SubprocessOutputSequence, _ stream: LogStream, _ chunkBytes: Int,
                     _ flushInterval: Duration, _ output: OutputSink) async {
        var chunker = OutputChunker(limit: chunkBytes)
        let clock = ContinuousClock()
        var heldSince: ContinuousClock.Instant?
        do {
            for try await buffer in sequence {
                buffer.withUnsafeBytes { chunker.append($0) }
                let now = clock.now
                let isQuiet = buffer.count < chunkBytes
                let isOverdue = heldSince.map { now - $0 >= flushInterval } ?? false
                for chunk in chunker.takeChunks(flushAll: isQuiet || isOverdue) {
                    await output(stream, chunk)
                }
                heldSince = chunker.pendingByteCount == 0 ? nil : (heldSince ?? now)
            }
        } catch {
            // A read error ends this stream only; the exit status still decides the step.
        }
        for chunk in chunker.takeChunks(flushAll: true, atEnd: true) {
            await output(stream, chunk)
        }
    }

    /// Buildbot-style log header: the command, where it runs, its limits.
    static func headerText(command: StepCommand.Shell, directory: String, step: MasterMessage.StartStep) -> String {
        var lines = [command.display, " in dir \(directory)"]
        if let timeout = step.timeout { lines[1] += " (timeout \(DurationText.describe(timeout)))" }
        switch command {
        case .argv(let argv):
            lines.append(" argv: [" + argv.map { "\"\($0)\"" }.joined(separator: ", ") + "]")
        case .script:
            lines.append(" argv: [\"/bin/sh\", \"-c\", …]")
        }
        for key in step.env.keys.sorted() {
            lines.append(" \(key)=\(step.env[key] ?? "")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: git

    private func runCheckout(_ spec: StepCommand.GitCheckout, step: MasterMessage.StartStep, directory: String,
                             control: StepControl, finished: Finisher) async -> WorkerMessage.StepFinished {
        let branch = step.branch ?? spec.branch
        var what = "git checkout \(spec.repository) (\(spec.mode.rawValue))"
        if let branch { what += " branch \(branch)" }
        if let revision = step.revision { what += " revision \(revision)" }
        await finished.output(.header, "\(what)\n in dir \(directory)\n")
        if let reason = control.stopReason { return await finished.stopped(reason, signal: nil) }

        let performer = checkout
        let task = Task {
            try await performer.checkout(repository: spec.repository, branch: branch, revision: step.revision,
                                         mode: spec.mode, into: directory)
        }
        control.attach(cancelHook: { task.cancel() })
        let started = ContinuousClock().now
        let timer = step.timeout.map { timeout in
            Task { await control.enforce(timeout: timeout, since: started) }
        }
        let outcome = await withTaskCancellationHandler {
            await task.result
        } onCancel: {
            control.stop(.interrupted("the worker lost its master or is shutting down"))
        }
        timer?.cancel()
        if let reason = control.stopReason { return await finished.stopped(reason, signal: nil) }
        switch outcome {
        case .success(let revision):
            await finished.output(.header, "got_revision: \(revision)\n")
            return finished.result(.success, properties: ["got_revision": revision])
        case .failure(let error):
            return await finished.header("\(error)", result: .failure, reason: "\(error)")
        }
    }
}

/// A step failure detected by the worker before anything ran.
struct StepError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
