#if os(Linux)
import CStepSupervisor
import Glibc

/// The small supervisor a step runs under, so that its processes cannot outlive a killed
/// worker (`kill -9`, an OOM kill): `minibot-worker __supervise-step WORKERPID -- CMD ARGS…`.
///
/// Why a supervisor: Linux's parent-death signal (`prctl(PR_SET_PDEATHSIG)`) must be set in
/// the child between fork and exec, and swift-subprocess 1.0.2 has no hook there on Linux
/// (`preSpawnProcessConfigurator` exists on Darwin only). It also reaches only that one
/// process: the shell's own children (`sleep` in `sh -c "sleep 1000; …"`) would survive it.
/// So the worker starts this process instead (it is the step's session and process-group
/// leader, as the step was before); it asks for SIGUSR2 when the worker dies, starts the
/// real command in its own group, and waits for it. On SIGUSR2 it kills the whole group,
/// itself included. Otherwise it ends as the command ended (same exit code, or same signal),
/// so the worker reports the step exactly as before. The signals the worker sends the group
/// to stop a step (SIGTERM, SIGINT…) reach the command; the supervisor keeps waiting.
///
/// It runs before anything else in `minibot-worker`'s `main` (one thread, no Foundation):
/// only async-signal-safe calls happen in its signal handler.
public enum StepSupervisor {
    /// The hidden first argument that makes `minibot-worker` a step's supervisor.
    public static let argument = "__supervise-step"

    /// The arguments that run `command` under `supervisor` for the worker `workerPID`.
    public static func arguments(workerPID: Int32, command: [String]) -> [String] {
        [argument, String(workerPID), "--"] + command
    }

    /// Supervises the command in `argv` (as `arguments(workerPID:command:)` builds it,
    /// after the executable); never returns.
    public static func main(_ argv: [String]) -> Never {
        guard argv.count >= 4, argv[0] == argument, let parent = pid_t(argv[1]), argv[2] == "--" else {
            fail("usage: minibot-worker \(argument) WORKERPID -- COMMAND [ARGS...]")
        }
        let command = Array(argv[3...])
        signal(SIGUSR2) { _ in _ = kill(0, SIGKILL) }
        for s in [SIGTERM, SIGINT, SIGHUP, SIGQUIT] { signal(s) { _ in } }
        _ = minibot_set_parent_death_signal(SIGUSR2)
        // The worker may have died before the line above: then no signal comes.
        if getppid() != parent { _ = kill(0, SIGKILL) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR2] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        let cArguments: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        var child: pid_t = 0
        let spawned = posix_spawnp(&child, command[0], nil, &attributes, cArguments, environ)
        guard spawned == 0 else {
            fail("\(command[0]): \(String(cString: strerror(spawned)))", code: 127)
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 {
            if errno != EINTR { fail("waitpid: \(String(cString: strerror(errno)))") }
        }
        let signalNumber = status & 0x7F
        if signalNumber == 0 { exit((status >> 8) & 0xFF) }
        // Killed by a signal: end the same way, so the worker sees that signal.
        signal(signalNumber, SIG_DFL)
        _ = kill(getpid(), signalNumber)
        exit(128 + signalNumber)
    }

    private static func fail(_ message: String, code: Int32 = 2) -> Never {
        let line = Array("minibot-worker: \(message)\n".utf8)
        _ = line.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
        exit(code)
    }
}
#endif
