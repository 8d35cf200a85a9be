import Foundation
import Synchronization

/// A real process started by a test: its stdout is read line by line (so a test can wait
/// for "listening on …" instead of sleeping), its stderr goes to a log file kept for
/// failure diagnosis, and it is stopped by pid.
public final class ChildProcess: Sendable {
    public let pid: Int32
    public let name: String
    public let logPath: String
    private let lines = Mutex<[String]>([])
    private let waiters = Mutex<[UUID: (predicate: @Sendable (String) -> Bool, continuation: CheckedContinuation<String?, Never>)]>([:])
    private let exited = Latch<Int32>()
    private let outputEnd = Latch<Bool>()

    /// Starts `executable` with `arguments`; stderr goes to `logPath`. Started and reaped by
    /// ``Spawn``; stdout is read by a thread of its own with blocking reads.
    public init(_ executable: String, _ arguments: [String], name: String, logPath: String,
                environment: [String: String] = [:], currentDirectory: String? = nil) throws {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        self.name = name
        self.logPath = logPath
        let stdin = try Spawn.open("/dev/null", forWriting: false)
        defer { close(stdin) }
        let stderr = try Spawn.open(logPath, forWriting: true)
        defer { close(stderr) }
        let out = try Spawn.pipe()
        let exited = self.exited
        let pid: Int32
        do {
            // The reaper may run before `self` is complete, so it sets the latch, not `self`.
            pid = try Spawn.start(executable, arguments, environment: env, directory: currentDirectory,
                                  stdin: stdin, stdout: out.write, stderr: stderr) { exited.set($0) }
        } catch {
            close(out.read)
            close(out.write)
            throw error
        }
        close(out.write)
        self.pid = pid
        let reader = Thread { [self] in readLines(from: out.read) }
        reader.name = "stdout-\(pid)"
        reader.start()
        Task { [weak self] in
            _ = await exited.wait(timeout: 86_400 * 7)
            self?.resolveAll()
        }
    }

    /// Reads stdout to its end, line by line (on the reader thread).
    private func readLines(from fd: Int32) {
        defer { close(fd) }
        var pending = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending.append(contentsOf: chunk[0..<count])
            while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                received(String(decoding: pending[pending.startIndex..<nl], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...nl)
            }
        }
        // A last line without its newline still counts.
        if !pending.isEmpty { received(String(decoding: pending, as: UTF8.self)) }
        resolveAll()
        outputEnd.set(true)
    }

    private func received(_ line: String) {
        lines.withLock { $0.append(line) }
        let matched = waiters.withLock { w -> [CheckedContinuation<String?, Never>] in
            let hits = w.filter { $0.value.predicate(line) }
            for id in hits.keys { w.removeValue(forKey: id) }
            return hits.values.map(\.continuation)
        }
        for c in matched { c.resume(returning: line) }
    }

    private func resolveAll() {
        let all = waiters.withLock { w -> [CheckedContinuation<String?, Never>] in
            defer { w.removeAll() }
            return w.values.map(\.continuation)
        }
        for c in all { c.resume(returning: nil) }
    }

    /// Every stdout line so far.
    public var output: [String] { lines.withLock { $0 } }

    /// The exit status once the process has ended.
    public var exitStatus: Int32? { exited.value }

    public var isRunning: Bool { exited.value == nil }

    /// Waits for a stdout line satisfying `predicate` (one already printed counts), or
    /// returns nil when the process ends or `timeout` passes first.
    public func waitForLine(timeout: Double = 120, where predicate: @escaping @Sendable (String) -> Bool) async -> String? {
        if let line = output.first(where: predicate) { return line }
        let id = UUID()
        let timer = Task { [weak self] in
            try? await Task.sleep(for: .seconds(timeout))
            let c = self?.waiters.withLock { $0.removeValue(forKey: id) }
            c?.continuation.resume(returning: nil)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let immediate: String?? = waiters.withLock { w in
                if let line = lines.withLock({ $0.first(where: predicate) }) { return .some(line) }
                if exited.value != nil { return .some(nil) }
                w[id] = (predicate, continuation)
                return .none
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Sends a signal to the process.
    public func signal(_ sig: Int32) {
        kill(pid, sig)
    }

    /// Stops the process: SIGTERM, then SIGKILL if it has not exited within `grace` seconds.
    public func stop(grace: Double = 15) async {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        if await waitForExit(timeout: grace) == nil {
            kill(pid, SIGKILL)
            _ = await waitForExit(timeout: 30)
        }
    }

    /// SIGKILL, as a crash would.
    public func crash() async {
        kill(pid, SIGKILL)
        _ = await waitForExit(timeout: 30)
    }

    /// Waits until stdout reaches its end (the process, and any child that inherited it,
    /// closed it), so every line it printed has been read; false after `timeout`.
    public func waitForOutputEnd(timeout: Double = 60) async -> Bool {
        await outputEnd.wait(timeout: timeout) ?? false
    }

    /// Waits for the process to end; its exit status, or nil on timeout.
    public func waitForExit(timeout: Double = 60) async -> Int32? {
        await exited.wait(timeout: timeout)
    }

    /// The stderr log, for messages when a test fails.
    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }
}
