import Foundation

/// Lets `perf record --control fifo:CTL,ACK -D -1` sample only the measured part of a
/// scenario: with `MINIBOT_BENCH_PERF_CTL=CTL` (and `MINIBOT_BENCH_PERF_ACK=ACK`) set, the
/// benchmark writes `enable` / `disable` to perf's control fifo around it.
enum Profiler {
    static func enable() { send("enable") }
    static func disable() { send("disable") }

    private static func send(_ command: String) {
        let env = ProcessInfo.processInfo.environment
        guard let control = env["MINIBOT_BENCH_PERF_CTL"], let handle = FileHandle(forWritingAtPath: control) else { return }
        handle.write(Data((command + "\n").utf8))
        try? handle.close()
        if let ack = env["MINIBOT_BENCH_PERF_ACK"], let reply = FileHandle(forReadingAtPath: ack) {
            _ = reply.availableData
            try? reply.close()
        }
    }
}
