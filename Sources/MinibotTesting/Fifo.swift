import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A named pipe a step writes to and a test reads from: the test learns what the step
/// wrote (its pid, say) the moment it writes it, without polling for a file.
public enum Fifo {
    /// Makes a named pipe at `path`.
    public static func make(_ path: String) throws {
        guard mkfifo(path, 0o600) == 0 else { throw FixtureError("mkfifo \(path): errno \(errno)") }
    }

    /// Everything one writer writes into the pipe at `path` (read until it closes its end),
    /// or nil when nobody has written and closed within `timeout` seconds.
    ///
    /// The pipe is opened without blocking (a writer need not exist yet) and read on a
    /// thread of its own, waiting in `poll(2)`.
    public static func read(_ path: String, timeout: Double = 120) async -> String? {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: readBlocking(path, timeout: timeout))
            }
            thread.name = "fifo-reader"
            thread.start()
        }
    }

    private static func readBlocking(_ path: String, timeout: Double) -> String? {
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let deadline = Date().addingTimeInterval(timeout)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return nil }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(min(remaining * 1000, Double(Int32.max))))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return nil }
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: buffer[0..<count])
            } else if count == 0 {
                // End of file after readiness: the writer closed its end (Linux reports
                // nothing on a pipe no writer has opened yet, so this follows a writer).
                return String(decoding: bytes, as: UTF8.self)
            } else if errno != EAGAIN && errno != EINTR {
                return nil
            }
        }
    }
}
