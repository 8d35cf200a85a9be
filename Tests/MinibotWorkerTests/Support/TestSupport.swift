import Foundation
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

/// Polls a cheap in-memory or filesystem condition until it holds (at most `seconds`).
func waitUntil(_ what: String, seconds: Double = 30, _ condition: @escaping @Sendable () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !(await condition()) {
        guard ContinuousClock.now < deadline else { throw TestFailure("timed out after \(seconds) s waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Whether `pid` is gone: no such process, or a zombie nobody reaped yet (it runs nothing).
func isProcessGone(_ pid: pid_t) -> Bool {
    if kill(pid, 0) != 0 && errno == ESRCH { return true }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return true }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state == "Z" || state == "X"
}

func readPID(_ path: String) -> pid_t? {
    (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
}
