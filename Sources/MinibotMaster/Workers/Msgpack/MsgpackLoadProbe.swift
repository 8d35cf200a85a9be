import Foundation
import MinibotCore
import MinibotHostFacts
import MinibotProtocol

/// How the master learns a stock worker's load: buildbot-worker reports none, so the master
/// runs `cat /proc/loadavg /proc/pressure/cpu` on it as a hidden `shell` command (its own
/// command id, no build, no log) every load interval, and reads the answer here into the same
/// ``WorkerStatus`` a native worker reports, so the availability plugin's thresholds and
/// hysteresis apply unchanged.
///
/// Pure. The output is the worker's, so it is hostile: read with the one set of parsers the
/// agent and the native worker use (``LoadReader``), then held to ``LoadBounds``; anything
/// else is a ``Problem``, never a crash and never a report. A kernel without PSI makes `cat`
/// fail on the second file after printing the first: that is a load without a pressure.
enum MsgpackLoadProbe {
    static let command = StepCommand.Shell.argv(["cat", "/proc/loadavg", "/proc/pressure/cpu"])
    /// `maxTime` of the command (seconds): a worker too busy to read two small files for this
    /// long has its probe killed; the load then turns unknown, as for a silent native worker.
    static let maxTime = 60

    struct Problem: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// The load the command printed, stamped `time` (the master's clock).
    static func status(from result: MsgpackStepPlan.CommandResult, at time: Date) -> Result<WorkerStatus, Problem> {
        if let error = result.error {
            return .failure(Problem(description: "the worker could not run cat: \(ClientText.quoted(error))"))
        }
        if let reason = result.failureReason {
            return .failure(Problem(description: "cat /proc/loadavg ended early (\(ClientText.quoted(reason)))"))
        }
        guard let averages = LoadReader.parseLoadAverage(result.stdout) else {
            return .failure(Problem(description: "cat /proc/loadavg printed no load average: "
                                    + ClientText.quoted(String(result.stdout.prefix(120)))))
        }
        let (load1, load5) = (averages.0, averages.1)
        guard LoadBounds.isLoad(load1), LoadBounds.isLoad(load5) else {
            return .failure(Problem(description: "the load average \(load1) \(load5) is out of range"))
        }
        let pressure = LoadReader.parsePressureSomeAvg10(result.stdout)
        if let pressure, !LoadBounds.isPressure(pressure) {
            return .failure(Problem(description: "the CPU pressure \(pressure) is out of range (0-100)"))
        }
        return .success(WorkerStatus(load1: load1, load5: load5, cpuPressure: pressure, time: time))
    }
}
