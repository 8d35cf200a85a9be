import MinibotCore
import MinibotProtocol

/// How one Minibot step runs on a stock worker, as the `shell` commands it takes and how their
/// results fold into the step's outcome. Pure: ``MsgpackWorkerConnection`` runs each command
/// and feeds its result back through ``next(after:)``.
///
/// A shell step is one command. A git step is a sequence of `git` commands in the step's
/// workdir: `git --version` (a missing git is the step's failure, said plainly), a probe for
/// an existing clone, `git clone` or `git fetch`, `git checkout --detach` of the exact
/// revision (else the branch tip), `git clean -ffdx` for `mode: full`, and `git rev-parse
/// HEAD`, whose output becomes `got_revision`. Every command is an argv list: nothing the
/// build or the repository says is ever parsed by a shell.
struct MsgpackStepPlan {
    struct Command: Equatable {
        var command: StepCommand.Shell
        /// Keep the command's stdout (at most ``CommandResult/maxCaptured`` bytes).
        var captureStdout = false
    }

    /// How one command ended, as the worker reported it.
    struct CommandResult: Equatable {
        static let maxCaptured = 4096
        var rc: Int32?
        var failureReason: String?
        /// `complete` carried an error: the worker could not run the command.
        var error: String?
        var stdout = ""
    }

    enum Next: Equatable {
        case run(Command)
        case finished(WorkerMessage.StepFinished)
    }

    private enum Stage {
        case shell, gitVersion, probe, clone, fetch, checkout, clean, revParse, done
    }

    let step: MasterMessage.StartStep
    private var stage: Stage

    init(step: MasterMessage.StartStep) {
        self.step = step
        switch step.action {
        case .shell: stage = .shell
        case .git: stage = .gitVersion
        }
    }

    /// The first command (`result` nil), or what follows the result of the last one.
    mutating func next(after result: CommandResult?) -> Next {
        if let result {
            switch stage {
            case .probe:
                stage = result.rc == 0 && result.error == nil ? .fetch : .clone
                return .run(command(for: stage))
            case .revParse:
                if let failed = failure(result, doing: "git rev-parse HEAD") { return .finished(failed) }
                let revision = result.stdout.filter { !$0.isWhitespace }
                guard Self.isObjectName(revision) else {
                    return .finished(finish(.failure, reason: "git rev-parse HEAD printed no revision"))
                }
                stage = .done
                return .finished(finish(.success, exitCode: 0, properties: ["got_revision": revision]))
            case .gitVersion:
                if result.error == nil, result.failureReason == nil, result.rc != 0 {
                    return .finished(finish(.failure, exitCode: result.rc,
                                            reason: "git is not installed on the worker (or not on its PATH)"))
                }
                if let failed = failure(result, doing: "git --version") { return .finished(failed) }
            case .shell:
                if let failed = failure(result, doing: nil) { return .finished(failed) }
                stage = .done
                return .finished(finish(.success, exitCode: 0))
            case .clone, .fetch, .checkout, .clean:
                if let failed = failure(result, doing: label(stage)) { return .finished(failed) }
            case .done:
                return .finished(finish(.exception, reason: "the step had already ended"))
            }
            stage = following(stage)
        }
        return .run(command(for: stage))
    }

    // MARK: private

    private var git: StepCommand.GitCheckout? {
        if case .git(let g) = step.action { return g }
        return nil
    }

    private func following(_ stage: Stage) -> Stage {
        switch stage {
        case .gitVersion: .probe
        case .clone, .fetch: .checkout
        case .checkout: git?.mode == .full ? .clean : .revParse
        case .clean: .revParse
        case .shell, .probe, .revParse, .done: .done
        }
    }

    private func command(for stage: Stage) -> Command {
        let repository = git?.repository ?? ""
        switch stage {
        case .shell, .done:
            if case .shell(let shell) = step.action { return Command(command: shell) }
            return Command(command: .argv(["true"]))
        case .gitVersion: return Command(command: .argv(["git", "--version"]))
        case .probe: return Command(command: .argv(["test", "-d", ".git"]))
        case .clone: return Command(command: .argv(["git", "clone", "--no-checkout", repository, "."]))
        case .fetch:
            return Command(command: .argv(["git", "fetch", "--force", "--prune", repository,
                                           "+refs/heads/*:refs/remotes/origin/*"]))
        case .checkout:
            let branch = step.branch ?? git?.branch
            let target = step.revision ?? branch.map { "origin/\($0)" } ?? "origin/HEAD"
            return Command(command: .argv(["git", "checkout", "--force", "--detach", target]))
        case .clean: return Command(command: .argv(["git", "clean", "-f", "-f", "-d", "-x"]))
        case .revParse: return Command(command: .argv(["git", "rev-parse", "HEAD"]), captureStdout: true)
        }
    }

    private func label(_ stage: Stage) -> String {
        switch stage {
        case .clone: "git clone"
        case .fetch: "git fetch"
        case .checkout: "git checkout"
        case .clean: "git clean"
        default: "git"
        }
    }

    /// The step's outcome when `result` ends it early; nil when the command succeeded.
    private func failure(_ result: CommandResult, doing what: String?) -> WorkerMessage.StepFinished? {
        let prefix = what.map { "\($0): " } ?? ""
        if let error = result.error {
            return finish(.exception, reason: "\(prefix)the worker could not run the command: \(error)")
        }
        switch result.failureReason {
        case "timeout"?:
            return finish(.failure, exitCode: result.rc, reason: prefix + "timed out after \(Self.seconds(step.timeout))")
        case "timeout_without_output"?:
            return finish(.failure, exitCode: result.rc, reason: prefix + "timed out without output")
        case let reason?:
            return finish(.failure, exitCode: result.rc, reason: prefix + "the worker stopped the command (\(reason))")
        case nil:
            break
        }
        guard let rc = result.rc else {
            return finish(.exception, reason: prefix + "the worker reported no exit code")
        }
        if rc == 0 { return nil }
        return finish(.failure, exitCode: rc, reason: what.map { "\($0) failed with exit code \(rc)" })
    }

    private func finish(_ result: BuildResult, exitCode: Int32? = nil, reason: String? = nil,
                        properties: [String: String] = [:]) -> WorkerMessage.StepFinished {
        WorkerMessage.StepFinished(buildID: step.buildID, step: step.step, result: result, exitCode: exitCode,
                                   reason: reason, properties: properties)
    }

    private static func seconds(_ timeout: Double?) -> String {
        guard let timeout else { return "its time limit" }
        return DurationText.describe(timeout)
    }

    /// A full SHA-1 or SHA-256 object name.
    static func isObjectName(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64) && text.utf8.allSatisfy {
            (48...57).contains($0) || (97...102).contains($0)
        }
    }
}
