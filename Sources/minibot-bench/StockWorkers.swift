import Foundation
import MinibotTesting

/// Unmodified buildbot-worker 4.3.0 processes for the stock-worker scenario, from the venv
/// that `scripts/install-buildbot-worker` fills (`.build/buildbot-worker-4.3.0` under the
/// directory the bench runs in). Run with `--nodaemon` as ``ChildProcess``es.
enum StockWorkers {
    /// `buildbot-worker ARGS` (or `buildbot ARGS` with `module: "buildbot"`) through a venv's python.
    static func arguments(_ args: [String], module: String = "buildbot_worker") -> [String] {
        let program = module == "buildbot_worker" ? "buildbot-worker" : "buildbot"
        return ["-c", "import sys; from \(module).scripts.runner import run; sys.argv[0] = '\(program)'; run()"] + args
    }

    /// Runs a venv's python to its end; throws with its output when it fails.
    static func run(_ python: String, _ args: [String], log: String) async throws {
        let out = try Spawn.open(log, forWriting: true)
        defer { close(out) }
        let stdin = try Spawn.open("/dev/null", forWriting: false)
        defer { close(stdin) }
        let status = try await Spawn.run(python, args, environment: ProcessInfo.processInfo.environment,
                                         stdin: stdin, stdout: out, stderr: out, timeout: 300)
        guard status == 0 else {
            throw FixtureError("\(args.dropFirst(2).joined(separator: " ")) failed (\(status)):\n\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
    }

    /// `create-worker --protocol=msgpack_experimental_v7` then `start --nodaemon`.
    static func start(name: String, port: Int, python: String, in dir: TemporaryDirectory) async throws -> ChildProcess {
        let base = dir.appending("stock-\(name)").path
        try await run(python, arguments(["create-worker", "--protocol=msgpack_experimental_v7", base, "127.0.0.1:\(port)",
                                         name, "pw"]), log: dir.appending("create-\(name).log").path)
        return try ChildProcess(python, arguments(["start", "--nodaemon", base]), name: "stock-\(name)",
                                logPath: base + "/stderr.log")
    }
}
