import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a directory, held for as long as the process runs: one master per
/// master directory (or one worker per base directory).
///
/// It is `flock(2)` on a lock file, which the kernel releases when the process dies however
/// it dies, so a crash never leaves a stale lock behind (unlike a pid file). The lock file
/// holds the owner's pid, for the message a second process prints.
public final class DirectoryLock: Sendable {
    private let descriptor: Int32
    /// The lock file.
    public let path: String

    /// Why a lock could not be taken.
    public struct Refusal: Error, CustomStringConvertible {
        public var description: String
    }

    /// Takes the lock on `path` (created 0600 if missing) without waiting, and writes this
    /// process's pid into it. Throws a ``Refusal`` saying `already running (pid N)` when
    /// another process holds it; the file is then left as it was.
    public init(path: String, what: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw Refusal(description: "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let why = String(cString: strerror(errno))
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = read(fd, &buffer, buffer.count)
            close(fd)
            let pid = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            throw Refusal(description: busy ? "\(what) is already running (pid \(pid.isEmpty ? "?" : pid)), holding \(path)"
                                            : "cannot lock \(path): \(why)")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        self.descriptor = fd
        self.path = path
    }

    /// Releases the lock (also released when the process exits).
    public func release() {
        _ = ftruncate(descriptor, 0)
        close(descriptor)
    }
}
