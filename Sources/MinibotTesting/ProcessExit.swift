import CProcessExit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Waits for any process to exit (not only a child of this one: a step's shell, a
/// grandchild it left behind), on an event from the kernel instead of polling `/proc`.
///
/// A pidfd becomes readable when its process exits (a zombie counts as exited); the wait
/// is a blocking `poll(2)` on a thread of its own, so it never holds up the concurrency
/// pool.
public enum ProcessExit {
    /// True once `pid` has exited (or when there is no such process), false after `timeout`.
    public static func wait(for pid: pid_t, timeout: Double = 60) async -> Bool {
        let fd = minibot_pidfd_open(pid)
        if fd < 0 { return errno == ESRCH }
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                var remaining = Int32(max(0, min(timeout * 1000, Double(Int32.max))))
                let deadline = Date().addingTimeInterval(timeout)
                var result = poll(&entry, 1, remaining)
                while result < 0 && errno == EINTR {
                    remaining = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
                    result = poll(&entry, 1, remaining)
                }
                close(fd)
                continuation.resume(returning: result > 0)
            }
            thread.name = "process-exit-\(pid)"
            thread.start()
        }
    }
}
