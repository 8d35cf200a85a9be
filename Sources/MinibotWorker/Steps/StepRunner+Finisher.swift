import Foundation
import MinibotCore
import MinibotProtocol
import Subprocess

extension StepRunner {
    /// Builds a step's `StepFinished` and writes the matching header lines, so every ending
    /// says in the log what the result says on the wire.
    struct Finisher: Sendable {
        let step: MasterMessage.StartStep
        let output: OutputSink

        func result(_ result: BuildResult, exitCode: Int32? = nil, signal: Int32? = nil, reason: String? = nil,
                    properties: [String: String] = [:]) -> WorkerMessage.StepFinished {
            WorkerMessage.StepFinished(buildID: step.buildID, step: step.step, result: result, exitCode: exitCode,
                                       signal: signal, reason: reason, properties: properties)
        }

        /// Writes `line` as a header line and ends the step with `result`.
        func header(_ line: String, result: BuildResult, reason: String?) async -> WorkerMessage.StepFinished {
            await output(.header, line + "\n")
            return self.result(result, reason: reason)
        }

        func output(_ stream: LogStream, _ text: String) async {
            await output(stream, text)
        }

        /// The step was stopped: an interrupt is CANCELLED, a timeout is FAILURE.
        func stopped(_ reason: StepControl.StopReason, signal: Int32?) async -> WorkerMessage.StepFinished {
            switch reason {
            case .interrupted(let why):
                await output(.header, "step interrupted: \(why)\n")
                return result(.cancelled, signal: signal, reason: "interrupted: \(why)")
            case .timedOut(let seconds):
                let text = "timed out after \(DurationText.describe(seconds))"
                await output(.header, text + "; the step's process group was killed\n")
                return result(.failure, signal: signal, reason: text)
            }
        }

        /// The command could not start. A missing command is the step's own failure
        /// (FAILURE, like a shell's exit 127), not the worker's.
        func spawnFailed(_ error: SubprocessError, executable: Executable, directory: String) async
            -> WorkerMessage.StepFinished {
            let reason: String
            switch error.code {
            case .executableNotFound:
                reason = "command not found: \(executable) (not on PATH or not executable)"
            case .failedToChangeWorkingDirectory:
                return await header("cannot enter \(directory): \(error)", result: .exception,
                                    reason: "cannot enter the step directory \(directory)")
            default:
                reason = "cannot start \(executable): \(error)"
            }
            return await header(reason, result: .failure, reason: reason)
        }
    }
}
