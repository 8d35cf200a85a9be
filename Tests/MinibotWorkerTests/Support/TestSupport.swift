import Foundation
import MinibotTesting
import Testing

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TempDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "minibot-worker-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `operation`, failing with `what` if it has not finished after `seconds`: waits are
/// for events, the limit is only there so a broken worker fails the test instead of hanging it.
func withTimeout<T: Sendable>(_ seconds: Double = 30, _ what: String,
                              _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TestFailure("timed out after \(seconds) s waiting for \(what)")
        }
        return value
    }
}

/// Waits for process `pid` to exit: a kernel event (pidfd, see ``ProcessExit``), not a poll.
func waitForExit(of pid: pid_t, _ what: String, seconds: Double = 30) async throws {
    guard await ProcessExit.wait(for: pid, timeout: seconds) else {
        throw TestFailure("timed out after \(seconds) s waiting for \(what)")
    }
}

func readPID(_ path: String) -> pid_t? {
    (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
}
