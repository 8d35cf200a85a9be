import Foundation
import Synchronization

/// A real process started by a test: its stdout is read line by line (so a test can wait
/// for "listening on …" instead of sleeping), its stderr goes to a log file kept for
/// failure diagnosis, and it is stopped by pid.
public final class ChildProcess: Sendable {
    public let pid: Int32
    public let name: String
    public let logPath: String
    private let process: Process
    private let lines = Mutex<[String]>([])
    private let waiters = Mutex<[UUID: (predicate: @Sendable (String) -> Bool, continuation: CheckedContinuation<String?, Never>)]>([:])
    private let exited = Latch<Int32>()
    private let outputEnd = Latch<Bool>()

    /// Starts `executable` with `arguments`; stderr goes to `logPath`.
    public init(_ executable: String, _ arguments: [String], name: String, logPath: String,
                environment: [String: String] = [:], currentDirectory: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        self.process = process
        self.name = name
        self.logPath = logPath
        try process.run()
        self.pid = process.processIdentifier
        let buffer = Mutex(Data())
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            if data.isEmpty {
                handle.readabilityHandler = nil
                // A last line without its newline still counts.
                let rest = buffer.withLock { b -> String? in
                    defer { b.removeAll() }
                    return b.isEmpty ? nil : String(decoding: b, as: UTF8.self)
                }
                if let rest { self.received(rest) }
                self.resolveAll()
                self.outputEnd.set(true)
                return
            }
            let complete = buffer.withLock { b -> [String] in
                b.append(data)
                var found: [String] = []
                while let nl = b.firstIndex(of: UInt8(ascii: "\n")) {
                    found.append(String(decoding: b[b.startIndex..<nl], as: UTF8.self))
                    b.removeSubrange(b.startIndex...nl)
                }
                return found
            }
            for line in complete { self.received(line) }
        }
        process.terminationHandler = { [weak self] p in
            guard let self else { return }
            self.exited.set(p.terminationStatus)
            self.resolveAll()
        }
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

    public var isRunning: Bool { process.isRunning }

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
                if !process.isRunning { return .some(nil) }
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
        guard process.isRunning else { return }
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
