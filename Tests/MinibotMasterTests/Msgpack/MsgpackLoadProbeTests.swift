import Foundation
import MinibotCore
@testable import MinibotMaster
import Testing

/// The stock worker's load, read from what its hidden `cat /proc/loadavg /proc/pressure/cpu`
/// printed: good output becomes a status, anything hostile a problem (never a crash).
struct MsgpackLoadProbeTests {
    typealias Result = MsgpackStepPlan.CommandResult
    static let t = Date(timeIntervalSince1970: 1_700_000_000)

    static func status(_ stdout: String, rc: Int32? = 0, error: String? = nil,
                       failureReason: String? = nil) -> Swift.Result<WorkerStatus, MsgpackLoadProbe.Problem> {
        MsgpackLoadProbe.status(from: Result(rc: rc, failureReason: failureReason, error: error, stdout: stdout), at: t)
    }

    @Test func theCommandIsArgvCatOfBothFiles() {
        #expect(MsgpackLoadProbe.command == .argv(["cat", "/proc/loadavg", "/proc/pressure/cpu"]))
    }

    @Test func loadAndPressureAreRead() throws {
        let out = "2.50 1.25 0.75 3/456 7890\nsome avg10=12.34 avg60=5.00 avg300=1.00 total=123\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
        let status = try Self.status(out).get()
        #expect(status == WorkerStatus(load1: 2.5, load5: 1.25, cpuPressure: 12.34, time: Self.t))
    }

    /// A kernel without PSI: cat prints the load average, then fails on the second file.
    @Test func aMissingPressureFileIsALoadWithoutPressure() throws {
        let status = try Self.status("0.10 0.20 0.30 1/100 42\n", rc: 1).get()
        #expect(status.load1 == 0.1 && status.cpuPressure == nil)
    }

    @Test(arguments: [
        "",                                      // nothing
        "busy\n",                                // not numbers
        "1e400 1 1 1/1 1\n",                     // not finite
        "-1 0 0 1/1 1\n",                        // negative
        "nan 0 0 1/1 1\n",
        "100001 0 0 1/1 1\n",                    // over LoadBounds.load
        "1 2\n",                                 // too few fields
        "1 1 1 1/1 1\nsome avg10=250.0 avg60=0\n", // pressure over 100
    ])
    func hostileOutputIsRefused(_ stdout: String) {
        guard case .failure = Self.status(stdout) else {
            Issue.record("accepted \(stdout.debugDescription)")
            return
        }
    }

    @Test func aCommandThatDidNotRunIsAProblem() {
        guard case .failure(let problem) = Self.status("", rc: nil, error: "no such command") else {
            Issue.record("accepted a command that did not run")
            return
        }
        #expect(problem.description.contains("no such command"))
        guard case .failure = Self.status("1 1 1 1/1 1\n", failureReason: "timeout") else {
            Issue.record("accepted a probe that timed out")
            return
        }
    }
}
