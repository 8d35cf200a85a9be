import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Synchronization

/// One test's world: a temporary directory and every process started in it, all stopped and
/// removed when the test ends, whether it passed or threw.
final class Scene: Sendable {
    let dir: TemporaryDirectory
    private let processes = Mutex<[ChildProcess]>([])
    private let repositories = Mutex<[GitFixture]>([])

    private init(dir: TemporaryDirectory) { self.dir = dir }

    /// Runs `body` in a fresh scene and tears it down afterwards.
    static func run<T>(_ name: String = "itest", _ body: (Scene) async throws -> T) async throws -> T {
        let scene = Scene(dir: try TemporaryDirectory("minibot-\(name)"))
        do {
            let value = try await body(scene)
            await scene.tearDown(failed: false)
            return value
        } catch {
            await scene.tearDown(failed: true)
            throw error
        }
    }

    private func tearDown(failed: Bool) async {
        let all = processes.withLock { $0 }
        if failed {
            // The logs are the only way to see what a process did on a loaded CI machine.
            for p in all { print("---- \(p.name) (pid \(p.pid)) log tail:\n\(p.log.suffix(12000))") }
        }
        for p in all.reversed() { await p.stop(grace: 10) }
        // MINIBOT_KEEP_TEST_DIRS=1 keeps the directory (logs, build dirs) for a post-mortem.
        if ProcessInfo.processInfo.environment["MINIBOT_KEEP_TEST_DIRS"] == "1" {
            print("kept \(dir.path)")
            return
        }
        for r in repositories.withLock({ $0 }) { r.remove() }
        dir.remove()
    }

    /// Keeps `process` to stop at the end.
    @discardableResult
    func track(_ process: ChildProcess) -> ChildProcess {
        processes.withLock { $0.append(process) }
        return process
    }

    /// A master with `config` in `DIR/master`.
    func master(_ config: String) async throws -> MasterFixture {
        let m = try await MasterFixture.start(config: config, in: dir.appending("master"))
        track(m.process)
        return m
    }

    /// The master restarted on its directory.
    func restartMaster(port: Int = 0) async throws -> MasterFixture {
        let m = try await MasterFixture.restart(in: dir.appending("master"), port: port)
        track(m.process)
        return m
    }

    /// Starts workers `names` (password `pw`) and waits until each is attached.
    @discardableResult
    func workers(_ names: [String], master: MasterFixture, password: String = "pw") async throws -> [ChildProcess] {
        let events = try await master.events()
        let procs = try names.map { try track(WorkerFixture.start(name: $0, password: password, master: master.url, directory: dir.url)) }
        for n in names { try await events.workerAttached(n) }
        return procs
    }

    /// A new git fixture removed at the end.
    func git() throws -> GitFixture {
        let g = try GitFixture()
        repositories.withLock { $0.append(g) }
        return g
    }

    /// A worker's build directory for `builder`.
    func buildDirectory(worker: String, builder: String) -> URL {
        dir.url.appendingPathComponent(worker).appendingPathComponent(builder).appendingPathComponent("build")
    }

    /// A path in the scene for files that steps wait on.
    func path(_ name: String) -> String { dir.appending(name).path }
}

/// A standard config: workers `names` (password `pw`), force scheduler `force` on every
/// builder, and `builders` as YAML list items (indented by two spaces).
func masterConfig(workers: [String], maxBuilds: Int = 1, builders: String, builderNames: [String],
                  extra: String = "", www: String = "{port: 0, admin_token_file: admin.token}") -> String {
    """
    title: itest
    www: \(www)
    workers:
    \(workers.map { "  - {name: \($0), password: pw, max_builds: \(maxBuilds)}" }.joined(separator: "\n"))
    \(extra)
    schedulers:
      - force: {name: force, builders: [\(builderNames.joined(separator: ", "))]}
    builders:
    \(builders)
    """
}

/// Shell snippet that blocks until `path` exists (the step's own loop, not the test's).
func waitForFileCommand(_ path: String) -> String {
    "while [ ! -e '\(path)' ]; do sleep 0.02; done"
}

/// Creates an empty file (what a waiting step looks for).
func touch(_ path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data())
}

extension JSONValue {
    var arrayValue: [JSONValue] {
        if case .array(let a) = self { return a }
        return []
    }

    var intValue: Int? { doubleValue.map { Int($0) } }
}

extension MasterFixture {
    /// Builds of `builder` (newest first).
    func builds(_ builder: String? = nil) async throws -> [JSONValue] {
        let q = builder.map { "?builder=\($0)" } ?? ""
        return try await client.get("api/v2/builds\(q)")["builds"]?.arrayValue ?? []
    }

    /// Build requests, optionally filtered.
    func requests(_ query: String = "") async throws -> [JSONValue] {
        try await client.get("api/v2/buildrequests\(query.isEmpty ? "" : "?" + query)")["buildrequests"]?.arrayValue ?? []
    }

    func request(_ id: Int64) async throws -> JSONValue? {
        try await requests().first { $0["buildrequestid"]?.doubleValue == Double(id) }
    }

    func changes() async throws -> [JSONValue] {
        try await client.get("api/v2/changes")["changes"]?.arrayValue ?? []
    }

    /// The build id of a `build_finished` / `build_started` event.
    static func buildID(_ event: JSONValue) -> Int64 { Int64(event["buildid"]?.doubleValue ?? -1) }
}

/// A run of a CLI binary to its end.
struct CLIRun: Sendable {
    var status: Int32
    var stdout: [String]
    var stderr: String

    var text: String { stdout.joined(separator: "\n") }
}

extension Scene {
    /// Runs `minibot ARGS` to completion, stdout and stderr to files (read whole at the end,
    /// so nothing printed just before the exit is lost). The caller's `MINIBOT_*` variables
    /// are removed so they cannot choose a master or a token.
    func cli(_ arguments: [String], environment: [String: String] = [:], input: String? = nil,
             timeout: Double = 300) async throws -> CLIRun {
        let id = UUID().uuidString.prefix(8)
        let out = dir.appending("cli-\(id).out"), err = dir.appending("cli-\(id).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MINIBOT_") }
        env.merge(environment) { _, new in new }
        var inputPath = "/dev/null"
        if let input {
            inputPath = dir.appending("cli-\(id).in").path
            try input.write(toFile: inputPath, atomically: true, encoding: .utf8)
        }
        let stdin = try Spawn.open(inputPath, forWriting: false)
        defer { close(stdin) }
        let stdoutFD = try Spawn.open(out.path, forWriting: true)
        defer { close(stdoutFD) }
        let stderrFD = try Spawn.open(err.path, forWriting: true)
        defer { close(stderrFD) }
        let code = try await Spawn.run(Binaries.path("minibot"), arguments, environment: env,
                                       stdin: stdin, stdout: stdoutFD, stderr: stderrFD, timeout: timeout)
        let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        return CLIRun(status: code, stdout: stdout.split(separator: "\n").map(String.init), stderr: stderr)
    }
}

extension GitFixture {
    /// The repository's root (for `contrib/`).
    static var sourceRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Installs `contrib/git/post-receive` in the bare remote, pointed at `master` and `poller`.
    func installPostReceiveHook(master: String, poller: String) throws {
        let hook = URL(fileURLWithPath: remotePath).appendingPathComponent("hooks/post-receive")
        try? FileManager.default.removeItem(at: hook)
        try FileManager.default.copyItem(at: Self.sourceRoot.appendingPathComponent("contrib/git/post-receive"), to: hook)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        try git("-C", remotePath, "config", "minibot.master", master)
        try git("-C", remotePath, "config", "minibot.poller", poller)
    }
}
