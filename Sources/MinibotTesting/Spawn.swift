import CProcessExit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts child processes for tests with `posix_spawn`, and reaps each with a blocking
/// `waitpid` on a thread of its own.
///
/// Not Foundation's `Process`: with it (and `FileHandle` readability handlers) the test
/// process crashed now and then in libdispatch's manager thread
/// (`_dispatch_event_loop_drain`), taking the whole test run down. Nothing here uses a
/// dispatch source.
public enum Spawn {
    /// A failure to start a child.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts `executable` with `arguments`, with exactly `environment`, in `directory`, with
    /// the given descriptors as its standard streams (the caller closes its own copies).
    /// `onExit` is called once, on the reaping thread, with ``status(of:)``.
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String],
                             directory: String? = nil, stdin: Int32, stdout: Int32, stderr: Int32,
                             onExit: @escaping @Sendable (Int32) -> Void) throws(Failure) -> pid_t {
        let pid = try spawn(executable, arguments, environment: environment, directory: directory,
                            stdin: stdin, stdout: stdout, stderr: stderr)
        let thread = Thread { onExit(status(of: pid)) }
        thread.name = "reap-\(pid)"
        thread.start()
        return pid
    }

    /// Runs `executable` to its end without holding a thread of the concurrency pool, its
    /// standard streams from the given descriptors; SIGKILLed after `timeout` seconds.
    /// Returns its status (``status(of:)``).
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                           stdin: Int32, stdout: Int32, stderr: Int32, timeout: Double) async throws(Failure) -> Int32 {
        let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
        let pid = try start(executable, arguments, environment: environment,
                            stdin: stdin, stdout: stdout, stderr: stderr) { status in
            exited.yield(status)
            exited.finish()
        }
        let killer = Task {
            try await Task.sleep(for: .seconds(min(max(timeout, 0), 86_400)))
            kill(pid, SIGKILL)
        }
        defer { killer.cancel() }
        var code: Int32 = -1
        for await status in exits { code = status }
        return code
    }

    /// Blocks until child `pid` ends and reaps it; the status as `Process` reported it: the
    /// exit code, or the number of the signal that ended it.
    public static func status(of pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as macros.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }

    private static func spawn(_ executable: String, _ arguments: [String], environment: [String: String],
                              directory: String?, stdin: Int32, stdout: Int32, stderr: Int32) throws(Failure) -> pid_t {
        func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] {
            strings.map { strdup($0) } + [nil]
        }
        let argv = cStrings([executable] + arguments)
        let envp = cStrings(environment.map { "\($0.key)=\($0.value)" })
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        let pid = argv.withUnsafeBufferPointer { a in
            envp.withUnsafeBufferPointer { e in
                minibot_spawn(executable, a.baseAddress, e.baseAddress, directory, stdin, stdout, stderr)
            }
        }
        guard pid > 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(-pid)))")
        }
        return pid
    }

    /// Opens `path` for a child's standard stream: read-only, or write-only (created,
    /// truncated). Close-on-exec, so no other child inherits it.
    public static func open(_ path: String, forWriting: Bool) throws(Failure) -> Int32 {
        let flags = forWriting ? (O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC) : (O_RDONLY | O_CLOEXEC)
        let fd = Glibc.open(path, flags, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        return fd
    }

    /// A pipe whose ends are close-on-exec (the child gets one end through dup2 only).
    public static func pipe() throws(Failure) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard minibot_pipe_cloexec(&fds) == 0 else {
            throw Failure(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        return (fds[0], fds[1])
    }

    /// Runs `executable` to its end, blocking the calling thread, with standard input from
    /// `input` (empty by default) and standard output and error into files in `scratch`
    /// (files, not pipes: reading one pipe to its end while the child fills the other would
    /// deadlock). Returns the status and both outputs.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                           directory: String? = nil, input: Data? = nil,
                           scratch: URL) throws(Failure) -> (status: Int32, stdout: Data, stderr: Data) {
        let id = UUID().uuidString
        let inPath = scratch.appendingPathComponent("spawn-\(id).in").path
        let outPath = scratch.appendingPathComponent("spawn-\(id).out").path
        let errPath = scratch.appendingPathComponent("spawn-\(id).err").path
        defer { for p in [inPath, outPath, errPath] { unlink(p) } }
        _ = FileManager.default.createFile(atPath: inPath, contents: input ?? Data())
        let inFD = try open(inPath, forWriting: false)
        defer { close(inFD) }
        let outFD = try open(outPath, forWriting: true)
        defer { close(outFD) }
        let errFD = try open(errPath, forWriting: true)
        defer { close(errFD) }
        let pid = try spawn(executable, arguments, environment: environment, directory: directory,
                            stdin: inFD, stdout: outFD, stderr: errFD)
        let status = status(of: pid)
        return (status, FileManager.default.contents(atPath: outPath) ?? Data(),
                FileManager.default.contents(atPath: errPath) ?? Data())
    }
}
