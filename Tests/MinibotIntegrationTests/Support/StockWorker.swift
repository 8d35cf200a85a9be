import Foundation
import MinibotTesting

/// An unmodified buildbot-worker 4.3.0 from PyPI, installed once by
/// `scripts/install-buildbot-worker` into `.build/buildbot-worker-4.3.0` and reused, run with
/// `--nodaemon` as a ``ChildProcess`` (stopped by pid like every process of a scene).
enum StockWorker {
    static var root: URL { GitFixture.sourceRoot }

    static var python: String {
        root.appendingPathComponent(".build/buildbot-worker-4.3.0/bin/python").path
    }

    /// Installs the venv if it is missing; fails the test, saying why, when PyPI is out of reach.
    static func install() async throws {
        let script = root.appendingPathComponent("scripts/install-buildbot-worker").path
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("install-buildbot-worker-\(getpid()).log").path
        let out = try Spawn.open(log, forWriting: true)
        defer { close(out) }
        let stdin = try Spawn.open("/dev/null", forWriting: false)
        defer { close(stdin) }
        let status = try await Spawn.run(script, [], environment: ProcessInfo.processInfo.environment,
                                         stdin: stdin, stdout: out, stderr: out, timeout: 600)
        guard status == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw FixtureError("buildbot-worker 4.3.0 could not be installed from PyPI (status \(status)); these tests need it:\n\(text.suffix(3000))")
        }
    }

    /// `buildbot-worker ARGS` through the venv's interpreter.
    static func arguments(_ args: [String]) -> [String] {
        ["-c", "import sys; from buildbot_worker.scripts.runner import run; sys.argv[0] = 'buildbot-worker'; run()"] + args
    }

    /// `create-worker --protocol=msgpack_experimental_v7 DIR 127.0.0.1:PORT NAME PASSWORD`.
    static func create(name: String, password: String, master: MasterFixture, in scene: Scene) async throws -> String {
        try await install()
        let dir = scene.dir.appending("stock-\(name)").path
        let log = scene.dir.appending("create-\(name).log").path
        let out = try Spawn.open(log, forWriting: true)
        defer { close(out) }
        let stdin = try Spawn.open("/dev/null", forWriting: false)
        defer { close(stdin) }
        let status = try await Spawn.run(python, arguments([
            "create-worker", "--protocol=msgpack_experimental_v7", dir, "127.0.0.1:\(master.port)", name, password,
        ]), environment: ProcessInfo.processInfo.environment, stdin: stdin, stdout: out, stderr: out, timeout: 120)
        guard status == 0 else {
            throw FixtureError("create-worker failed (\(status)):\n\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        return dir
    }

    /// `buildbot-worker start --nodaemon DIR`; its log is DIR/twistd.log.
    @discardableResult
    static func start(_ dir: String, name: String, in scene: Scene) throws -> ChildProcess {
        scene.track(try ChildProcess(python, arguments(["start", "--nodaemon", dir]), name: "stock-\(name)",
                                     logPath: dir + "/stderr.log"))
    }

    /// Creates and starts a worker, then waits until the master attached it.
    @discardableResult
    static func connect(name: String, password: String = "pw", master: MasterFixture,
                        in scene: Scene) async throws -> (dir: String, process: ChildProcess) {
        let events = try await master.events()
        let dir = try await create(name: name, password: password, master: master, in: scene)
        let process = try start(dir, name: name, in: scene)
        do {
            try await events.workerAttached(name)
        } catch {
            let log = (try? String(contentsOfFile: dir + "/twistd.log", encoding: .utf8)) ?? ""
            throw FixtureError("\(error)\n---- twistd.log:\n\(log.suffix(4000))")
        }
        return (dir, process)
    }
}
